"""What tests and benchmarks share to drive the bot as Teams would: activity builders, the
fake Bot Connector, the OpenID/JWKS stand-in, the local Cosmos DB server, store and wire
counters, and child-process helpers. Plain Python (no pytest); never imported by the bot."""

from testkit.activities import (
    BOT_ID,
    TEAM,
    TENANT,
    USER,
    click,
    conversation_reference,
    install,
    message,
    next_id,
)
from testkit.cards import card_actions
from testkit.connector import DEFAULT_MEMBERS, FakeConnector, RecordedCall, Throttle
from testkit.cosmos import (
    CONTAINER,
    EMULATOR_KEY,
    CosmosServer,
    CosmosServerError,
    CosmosStoreFactory,
    FaultProxy,
)
from testkit.counting import (
    CountingStore,
    InterleavingStore,
    LostAnswers,
    WireCounter,
    WireRequest,
    json_size,
    store_time,
)
from testkit.openid import OpenIdService, serve_openid
from testkit.processes import PROJECT_ROOT, NotHealthy, free_port, stop_process, wait_healthy

__all__ = [
    "BOT_ID",
    "CONTAINER",
    "DEFAULT_MEMBERS",
    "EMULATOR_KEY",
    "PROJECT_ROOT",
    "TEAM",
    "TENANT",
    "USER",
    "CosmosServer",
    "CosmosServerError",
    "CosmosStoreFactory",
    "CountingStore",
    "FakeConnector",
    "FaultProxy",
    "InterleavingStore",
    "LostAnswers",
    "NotHealthy",
    "OpenIdService",
    "RecordedCall",
    "Throttle",
    "WireCounter",
    "WireRequest",
    "card_actions",
    "click",
    "conversation_reference",
    "free_port",
    "install",
    "json_size",
    "message",
    "next_id",
    "serve_openid",
    "stop_process",
    "store_time",
    "wait_healthy",
]
