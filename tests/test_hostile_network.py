"""Issue 15: a hostile network can't freeze, flood or impersonate the bot.

Everything runs through the real app over loopback HTTP: botbuilder's adapter and validation,
the OpenID/JWKS stand-in of tests/plugins/openid.py (which can hang and rotate keys) and the
fake Bot Connector. Raw sockets are used where a client must misbehave (half-sent requests,
header bytes aiohttp's client would not send).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import ConversationAccount, ConversationReference
from botframework.connector.auth import (
    AppCredentials,
    PasswordServiceClientCredentialFactory,
)

from bot.config import Settings
from domain.engagement import EngagementKey
from storage.base import StoreUnavailable
from storage.embedded import EmbeddedStore
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness

if TYPE_CHECKING:
    from tests.plugins.openid import OpenIdService

pytest_plugins = ["tests.plugins.openid"]
pytestmark = pytest.mark.usefixtures("loopback_only")

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "6a1f3c0e-5b7d-4c2a-9e8f-0a11ce000015"
PERSONAL = "a:hostile-personal-chat"


def click(service_url: str, **kw: Any) -> dict[str, Any]:
    return a.click(
        service_url,
        "task.done",
        {"task": "initiate.start-onboarding"},
        conversation=PERSONAL,
        conversation_type="personal",
        **kw,
    )


@pytest.fixture
async def secured(
    tmp_path: Path, connector: FakeConnector, openid: OpenIdService
) -> AsyncIterator[BotHarness]:
    settings = Settings(
        app_id=APP_ID,
        app_password="unused-secret",
        openid_metadata_url=openid.metadata_url,
        nudges_enabled=False,
        max_in_flight=4,
    )
    harness = BotHarness(lambda: EmbeddedStore(tmp_path / "data"), connector.url, settings=settings)
    await harness.start()
    yield harness
    openid.answer()
    await harness.stop()
    openid.reset()


async def post_with_token(harness: BotHarness, activity: dict[str, Any], token: str) -> int:
    status, _ = await harness.post_raw(
        json.dumps(activity).encode(), headers={"Authorization": f"Bearer {token}"}
    )
    return status


async def timed_get(harness: BotHarness, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    status, _ = await harness.get(path)
    return status, time.perf_counter() - started


async def raw_request(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(5):
            return await reader.read(65536)
    finally:
        writer.close()


# 1. Nothing blocks the event loop ---------------------------------------------------------


async def test_a_hanging_metadata_server_blocks_nobody(
    secured: BotHarness, openid: OpenIdService
) -> None:
    """The key fetch hangs: /healthz keeps answering in milliseconds, the waiting request
    ends with 503 within the fetch deadline, the next one is answered 503 at once."""
    openid.hang()
    token = openid.token(APP_ID, secured.service_url)
    started = time.perf_counter()
    waiting = asyncio.create_task(post_with_token(secured, click(secured.service_url), token))
    await asyncio.sleep(0.2)
    health = []
    while not waiting.done():
        health.append(await timed_get(secured, "/healthz"))
        await asyncio.sleep(0.1)
    waited = time.perf_counter() - started
    assert await waiting == 503
    assert waited < 5.0, f"the request waited {waited:.1f}s"
    assert len(health) >= 10
    assert all(status == 200 for status, _ in health)
    assert max(seconds for _, seconds in health) < 0.2, health

    started = time.perf_counter()
    assert await post_with_token(secured, click(secured.service_url), token) == 503
    assert time.perf_counter() - started < 0.2


async def test_keys_come_back_after_the_outage(
    secured: BotHarness, openid: OpenIdService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.auth

    monkeypatch.setattr(bot.auth, "KEY_FETCH_TIMEOUT_S", 0.5)
    monkeypatch.setattr(bot.auth, "KEY_RETRY_INTERVAL_S", 0.5)
    openid.hang()
    token = openid.token(APP_ID, secured.service_url)
    assert await post_with_token(secured, click(secured.service_url), token) == 503
    openid.answer()
    await asyncio.sleep(0.6)
    assert await post_with_token(secured, click(secured.service_url), token) == 200


class _AzureAd(AppCredentials):  # type: ignore[misc]
    """Azure AD as MSAL sees it, for the SDK's credentials: `get_access_token` is the
    blocking call MSAL makes. `delay` seconds per token; counts the calls."""

    def __init__(self, delay: float) -> None:
        super().__init__(app_id=APP_ID)
        self.delay, self.calls = delay, 0

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.calls += 1
        time.sleep(self.delay)  # MSAL's own blocking HTTP
        exp = int(time.time()) + 3600
        return f"e30.{_b64(json.dumps({'exp': exp}))}.sig"


def _b64(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


class _Credentials(PasswordServiceClientCredentialFactory):  # type: ignore[misc]
    def __init__(self, azure_ad: _AzureAd) -> None:
        super().__init__(APP_ID, "unused-secret")
        self.azure_ad = azure_ad

    async def create_credentials(self, *args: Any, **kwargs: Any) -> AppCredentials:
        return self.azure_ad


async def _proactive_sends(
    connector: FakeConnector, azure_ad: _AzureAd, sends: int
) -> tuple[list[BaseException | None], float]:
    """`sends` proactive messages through the real adapter; returns their errors and the
    longest the event loop was kept from running meanwhile."""
    from bot.adapter import OnboardingAdapter
    from bot.config import Settings

    config = Settings(app_id=APP_ID, app_password="unused-secret").bot_framework_config()
    adapter = OnboardingAdapter(
        ConfigurationBotFrameworkAuthentication(config, credentials_factory=_Credentials(azure_ad))
    )
    reference = ConversationReference(
        service_url=connector.url,
        channel_id="msteams",
        conversation=ConversationAccount(id="19:outbound@thread.tacv2"),
    )

    async def send() -> None:
        async def callback(turn_context: Any) -> None:
            await turn_context.send_activity("hello")

        await adapter.continue_conversation(reference, callback, APP_ID)

    lag = 0.0

    async def ticker() -> None:
        nonlocal lag
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            lag = max(lag, time.perf_counter() - before - 0.01)

    ticking = asyncio.create_task(ticker())
    results = await asyncio.gather(*(send() for _ in range(sends)), return_exceptions=True)
    ticking.cancel()
    await adapter.close()
    return [r if isinstance(r, BaseException) else None for r in results], lag


async def test_outbound_tokens_are_fetched_off_the_loop_once(connector: FakeConnector) -> None:
    azure_ad = _AzureAd(delay=0.3)
    errors, lag = await _proactive_sends(connector, azure_ad, sends=5)
    assert errors == [None] * 5
    assert len(connector.sent("POST")) == 5
    assert azure_ad.calls == 1, "the token is reused until shortly before it expires"
    assert lag < 0.1, f"the event loop stalled {lag:.2f}s"


async def test_a_hanging_azure_ad_fails_sends_in_bounded_time(
    connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.tokens

    monkeypatch.setattr(bot.tokens, "TOKEN_FETCH_TIMEOUT_S", 0.5)
    started = time.perf_counter()
    errors, lag = await _proactive_sends(connector, _AzureAd(delay=3.0), sends=3)
    assert all(isinstance(e, TimeoutError) for e in errors), errors
    assert time.perf_counter() - started < 2.0
    assert lag < 0.1
    assert connector.sent("POST") == []


# 2. The token before the body ---------------------------------------------------------------


async def test_a_large_unauthenticated_body_costs_what_a_tiny_one_does(
    secured: BotHarness, openid: OpenIdService
) -> None:
    url = secured.service_url
    expired = openid.expired_token(APP_ID, url)
    assert await post_with_token(secured, click(url), openid.token(APP_ID, url)) == 200  # keys
    tiny = json.dumps(click(url)).encode()
    large_activity = click(url)
    large_activity["attachments"] = [
        {"contentType": "text/plain", "content": "x", "name": f"n{i}"} for i in range(3800)
    ]
    large = json.dumps(large_activity).encode()
    assert 200_000 < len(large) < 256 * 1024  # ~230 KB: under the size limit (413)
    headers = {"Authorization": f"Bearer {expired}"}
    times: dict[bytes, list[float]] = {tiny: [], large: []}
    for _ in range(15):
        for body in (tiny, large):
            started = time.perf_counter()
            status, _ = await secured.post_raw(body, headers=headers)
            times[body].append(time.perf_counter() - started)
            assert status == 401
    tiny_s, large_s = statistics.median(times[tiny]), statistics.median(times[large])
    print(f"\n401 median: tiny {tiny_s * 1000:.2f} ms, ~230 KB {large_s * 1000:.2f} ms")
    assert large_s <= 2 * tiny_s


# 3. Read timeouts, caps, logs ----------------------------------------------------------------


async def test_half_sent_requests_are_released_after_the_read_timeouts(tmp_path: Path) -> None:
    """20 connections stop inside their headers, 20 inside their body: all are closed by the
    bot within the 10 s read timeouts (the body ones after a 408)."""
    harness = BotHarness(lambda: EmbeddedStore(tmp_path / "data"), "http://127.0.0.1:9/")
    await harness.start()
    try:
        head = b"POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        body = head + b'Content-Length: 1000\r\n\r\n{"type":'
        connections = [await asyncio.open_connection("127.0.0.1", harness.port) for _ in range(40)]
        for i, (_, writer) in enumerate(connections):
            writer.write(head if i < 20 else body)
            await writer.drain()
        started = time.perf_counter()

        async def closed_by_bot(reader: asyncio.StreamReader) -> bytes:
            async with asyncio.timeout(13):
                return await reader.read()  # to EOF: the bot closed it

        answers = await asyncio.gather(*(closed_by_bot(r) for r, _ in connections))
        elapsed = time.perf_counter() - started
        for _, writer in connections:
            writer.close()
        assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers[20:]), answers[20]
        assert elapsed < 13
        status, _ = await harness.get("/healthz")
        assert status == 200
    finally:
        await harness.stop()


async def test_connections_past_the_cap_get_a_503_and_are_closed(tmp_path: Path) -> None:
    settings = Settings(nudges_enabled=False, max_connections=10)
    harness = BotHarness(
        lambda: EmbeddedStore(tmp_path / "data"), "http://127.0.0.1:9/", settings=settings
    )
    await harness.start()
    try:
        idle = [await asyncio.open_connection("127.0.0.1", harness.port) for _ in range(10)]
        await asyncio.sleep(0.05)
        answer = await raw_request(harness.port, b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503"), answer
        for _, writer in idle:
            writer.close()
        await asyncio.sleep(0.05)
        answer = await raw_request(
            harness.port, b"GET /healthz HTTP/1.1\r\nHost: bot\r\nConnection: close\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.1 200"), answer
    finally:
        await harness.stop()


async def test_requests_past_the_in_flight_cap_get_a_503_at_once(
    secured: BotHarness, openid: OpenIdService
) -> None:
    """Four requests wait on a hanging key fetch (the cap is 4): the fifth is 503 at once,
    /healthz is still 200."""
    openid.hang()
    token = openid.token(APP_ID, secured.service_url)
    waiting = [
        asyncio.create_task(post_with_token(secured, click(secured.service_url), token))
        for _ in range(4)
    ]
    await asyncio.sleep(0.3)
    started = time.perf_counter()
    assert await post_with_token(secured, click(secured.service_url), token) == 503
    assert time.perf_counter() - started < 0.2
    assert (await timed_get(secured, "/healthz"))[0] == 200
    openid.answer()
    assert set(await asyncio.gather(*waiting)) <= {200, 503}


def test_a_flood_of_identical_log_lines_is_cut_to_a_few() -> None:
    script = (
        "import logging\n"
        "from bot.config import configure_logging\n"
        "configure_logging()\n"
        "for i in range(5000):\n"
        "    logging.getLogger('bot.adapter').info('unauthenticated request: %s', 'X')\n"
        "logging.getLogger('bot.adapter').info('another line')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = result.stderr.splitlines()
    assert 1 < len(lines) <= 25, len(lines)
    assert "another line" in result.stderr


# 5. Anonymous mode only when asked for --------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_without_an_app_id_and_without_bot_anonymous_start_up_fails_with_one_line(
    tmp_path: Path,
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("BOT_ANONYMOUS", "COSMOS_ENDPOINT")},
        "MicrosoftAppId": "",
        "PORT": str(_closed_port()),
        "BOT_DATA_DIR": str(tmp_path),
        "NUDGES_ENABLED": "false",
    }
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        "error: MicrosoftAppId is empty: set it (and MicrosoftAppPassword), or set "
        "BOT_ANONYMOUS=true to run unauthenticated for local use"
    ]


def test_bot_anonymous_is_read_by_its_exact_name() -> None:
    assert Settings.from_env({"BOT_ANONYMOUS": "true"}).anonymous
    assert not Settings.from_env({}).anonymous
    assert not Settings.from_env({"ANONYMOUS": "true"}).anonymous


async def test_anonymous_mode_warns_and_replies_to_loopback_only(
    tmp_path: Path, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    store = EmbeddedStore(tmp_path / "data")
    harness = BotHarness(lambda: store, connector.url)
    with caplog.at_level(logging.WARNING, logger="bot"):
        await harness.start()
    try:
        assert any("ANONYMOUS MODE" in r.getMessage() for r in caplog.records)
        elsewhere = "https://smba.trafficmanager.net/amer/"
        status, _ = await harness.send(a.message(elsewhere, "status"))
        assert status == 403
        for activity in a.install(elsewhere):
            assert (await harness.send(activity))[0] == 403
        assert await store.read(EngagementKey(a.TENANT, f"team:{a.TEAM}").id, "engagement") is None
        status, _ = await harness.send(a.message(connector.url, "help"))
        assert status in (200, 201)
        assert len(connector.sent("POST")) == 1
    finally:
        await harness.stop()


# 6. The smaller items ---------------------------------------------------------------------------


async def test_a_newly_published_key_is_fetched_on_its_first_token(
    secured: BotHarness, openid: OpenIdService
) -> None:
    url = secured.service_url
    assert await post_with_token(secured, click(url), openid.token(APP_ID, url)) == 200
    kid, key = openid.publish_new_key()
    fetches = len(openid.requests)
    token = openid.sign(openid.claims(APP_ID, url), key=key, kid=kid)
    assert await post_with_token(secured, click(url), token) == 200
    assert len(openid.requests) == fetches + 2  # metadata + keys, once
    # Unknown key ids refresh at most once a minute: a flood of them costs one fetch.
    for _ in range(5):
        assert (
            await post_with_token(secured, click(url), openid.token_from_unknown_key(APP_ID, url))
            == 401
        )
    assert len(openid.requests) == fetches + 2


async def test_the_key_set_lives_as_long_as_its_cache_header_says(
    secured: BotHarness, openid: OpenIdService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.auth

    monkeypatch.setattr(bot.auth, "MIN_KEY_LIFETIME_S", 0.0)
    openid.cache_control = "public, max-age=0"
    url = secured.service_url
    assert await post_with_token(secured, click(url), openid.token(APP_ID, url)) == 200
    fetches = len(openid.requests)
    assert await post_with_token(secured, click(url), openid.token(APP_ID, url)) == 200
    await asyncio.sleep(0.1)  # the background refresh
    assert len(openid.requests) == fetches + 2


async def test_a_token_without_expiry_is_refused(
    secured: BotHarness, openid: OpenIdService
) -> None:
    url = secured.service_url
    assert await post_with_token(secured, click(url), openid.token(APP_ID, url, exp=None)) == 401


async def test_the_token_tenant_must_be_the_activity_tenant(
    secured: BotHarness, openid: OpenIdService
) -> None:
    url = secured.service_url
    other = openid.token(APP_ID, url, tid="tenant-evil")
    assert await post_with_token(secured, click(url), other) == 401
    same = openid.token(APP_ID, url, tid=a.TENANT)
    assert await post_with_token(secured, click(url), same) == 200


@pytest.fixture
async def guarded(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[BotHarness]:
    settings = Settings(nudges_enabled=False, allowed_tenants=frozenset({a.TENANT}))
    store = EmbeddedStore(tmp_path / "data")
    harness = BotHarness(lambda: store, connector.url, settings=settings)
    await harness.start()
    yield harness
    await harness.stop()


async def test_allowed_tenants_falls_back_to_the_conversation_tenant(guarded: BotHarness) -> None:
    activity = click(guarded.service_url)
    del activity["channelData"]["tenant"]
    status, body = await guarded.send(activity)
    assert status == 200 and body["type"].endswith("card.adaptive"), body


async def test_two_different_tenants_on_one_activity_are_refused(guarded: BotHarness) -> None:
    activity = click(guarded.service_url)
    activity["conversation"]["tenantId"] = "tenant-evil"
    status, _ = await guarded.send(activity)
    assert status == 400
    assert guarded.store is not None
    for tenant in (a.TENANT, "tenant-evil"):
        key = EngagementKey(tenant, PERSONAL)
        assert await guarded.store.read(key.id, "engagement") is None


async def test_non_ascii_authorization_on_the_nudge_endpoint_is_401(tmp_path: Path) -> None:
    settings = Settings(nudges_enabled=False, nudge_run_secret="s3cret")
    harness = BotHarness(
        lambda: EmbeddedStore(tmp_path / "data"), "http://127.0.0.1:9/", settings=settings
    )
    await harness.start()
    try:
        request = (
            "POST /api/nudges/run HTTP/1.1\r\nHost: bot\r\nAuthorization: Bearer sécret☃\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n"
        ).encode()
        answer = await raw_request(harness.port, request)
        assert answer.startswith(b"HTTP/1.1 401"), answer
    finally:
        await harness.stop()


class _UnreachableStore(EmbeddedStore):
    async def ping(self) -> None:
        raise StoreUnavailable(
            "Cannot reach Cosmos DB at https://secret-account.documents.azure.com:443/"
        )


async def test_healthz_does_not_show_the_store_error(tmp_path: Path) -> None:
    harness = BotHarness(lambda: _UnreachableStore(tmp_path / "data"), "http://127.0.0.1:9/")
    await harness.start()
    try:
        status, body = await harness.get("/healthz")
        assert status == 503
        assert "secret-account" not in json.dumps(body)
        assert body == {"status": "degraded", "store": "unavailable"}
    finally:
        await harness.stop()
