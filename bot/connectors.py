"""Reuses botbuilder's connector clients instead of building two per turn.

CloudAdapter builds a ConnectorClient and a UserTokenClient for every activity and every
proactive send. Each build runs msrest's retry configuration, whose list comprehension over
~1,000 status codes (`[i for i in range(999) if i not in safe_codes]`) was half of a click's
CPU time in the profile. Clients depend only on the app id, the service URL and the
audience, so one per combination is kept for the life of the process.

The connector's HTTP layer (requests + urllib3 Retry) would also retry PUT/GET/DELETE on its
own with blocking sleeps and hide the status when it gives up; that is switched off once here,
so one call is one request and retrying is decided where the status is known (Outbound).

Two more things are decided here, where every outbound client is made:
- with an app id, the client's Azure AD token comes from `OffLoopAppCredentials` (bot/tokens.py)
  instead of the SDK's credentials policy, which asks MSAL on the event loop for every call;
- without one (anonymous local mode), clients are made for loopback service URLs only, so a
  request naming another host cannot make the bot post there.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from requests.adapters import HTTPAdapter

from bot.tokens import OffLoopAppCredentials

MAX_CLIENTS = 256
# What still goes through botbuilder's connector client (a member lookup, the team's channels,
# and every call when the adapter's credentials are of a kind bot/connector_http.py does not
# know) runs `requests` in the event loop's default executor (msrest's AsyncRequestsHTTPSender),
# whose stock size is min(32, CPUs + 4): 6 threads on 2 cores, which once capped the whole
# process at 6 posts in flight. Posts, replies and new chats now go out on the adapter's
# aiohttp session instead; 32 threads keep the remaining calls from queueing behind each other
# (the benchmark's many-tenant nudge run: 128 threads spent a third more CPU per nudge).
OUTBOUND_THREADS = 32


def pooled_session(session: Any, global_config: Any, local_config: Any, **kwargs: Any) -> Any:
    """msrest's per-request session hook (`session_configuration_callback`): the first time
    it sees a session, gives it OUTBOUND_THREADS connections per host. requests keeps 10, and
    the sends in flight past those each open a connection and drop it after: a new TLS
    handshake per send."""
    if not getattr(session, "bot_pooled", False):
        for prefix in ("http://", "https://"):
            retries = session.adapters[prefix].max_retries  # hidden retries stay off
            session.mount(prefix, HTTPAdapter(pool_maxsize=OUTBOUND_THREADS, max_retries=retries))
        session.bot_pooled = True
    return kwargs


def use_outbound_threads(loop: asyncio.AbstractEventLoop) -> None:
    """Gives `loop` a default executor with OUTBOUND_THREADS threads (see there)."""
    loop.set_default_executor(
        ThreadPoolExecutor(max_workers=OUTBOUND_THREADS, thread_name_prefix="bot-outbound")
    )


def is_loopback_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NotLoopback(PermissionError):
    """Anonymous mode posts to loopback service URLs only."""


def with_off_loop_token(client: ConnectorClient) -> ConnectorClient:
    """The same client (same configuration) with the token policy of bot/auth.py."""
    config = client.config
    config.credentials = OffLoopAppCredentials(config.credentials)
    return ConnectorClient(config.credentials, config.base_url, custom_configuration=config)


def disable_hidden_retries(client: Any) -> None:
    policy = getattr(getattr(getattr(client, "config", None), "retry_policy", None), "policy", None)
    if policy is None:
        return
    policy.total = policy.connect = policy.read = 0
    policy.status_forcelist = frozenset()
    policy.respect_retry_after_header = False
    policy.raise_on_status = False


class _ClientCache:
    def __init__(self) -> None:
        self._clients: OrderedDict[tuple[str, ...], Any] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> Any:
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
        return client

    def put(self, key: tuple[str, ...], client: Any) -> Any:
        self._clients[key] = client
        if len(self._clients) > MAX_CLIENTS:
            self._clients.popitem(last=False)
        return client


class _CachingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, app_id: str, cache: _ClientCache) -> None:
        self._inner, self._app_id, self._cache = inner, app_id, cache

    async def create(self, service_url: str, audience: str) -> ConnectorClient:
        key = ("connector", self._app_id, service_url, audience or "")
        client = self._cache.get(key)
        if client is None:
            if not self._app_id and not is_loopback_url(service_url):
                raise NotLoopback("anonymous mode: replies go to loopback service URLs only")
            client = await self._inner.create(service_url, audience)
            if self._app_id:
                client = with_off_loop_token(client)
            disable_hidden_retries(client)
            client.config.session_configuration_callback = pooled_session
            self._cache.put(key, client)
        return client


def _app_id(claims_identity: ClaimsIdentity | None) -> str:
    claims = getattr(claims_identity, "claims", None) or {}
    return str(claims.get("aud") or claims.get("appid") or claims.get("azp") or "")


class CachingAuthentication(BotFrameworkAuthentication):
    """Delegates to botbuilder's authentication; only the clients it hands out are reused."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._cache = _ClientCache()

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(
                result.connector_factory, _app_id(result.claims_identity), self._cache
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(
            self._inner.create_connector_factory(claims_identity),
            _app_id(claims_identity),
            self._cache,
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = ("token", _app_id(claims_identity))
        client = self._cache.get(key)
        if client is None:
            client = self._cache.put(
                key, await self._inner.create_user_token_client(claims_identity)
            )
        return client

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
