"""The outbound sender (issue 5 item 3): retries, give-ups and pacing of proactive sends.

Sends go through the real adapter to the fake connector; time is fake (a clock the limiter
reads and a sleep that advances it), so nothing here waits for real.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes
from msrest.exceptions import ClientRequestError
from multidict import CIMultiDict, CIMultiDictProxy

from bot.adapter import OnboardingAdapter, log_turn_error
from bot.config import Settings
from bot.failures import (
    ActivityNotFound,
    ConversationUnreachable,
    DeliveryFailed,
    Failure,
    OutboundError,
    failure_of,
    parse_retry_after,
)
from bot.messages import card_message, send_owned
from bot.outbound import Outbound
from bot.ratelimit import (
    CONVERSATION_WINDOWS,
    TENANT_PER_SECOND,
    TENANT_WINDOWS,
    RateLimiter,
    Window,
)
from bot.scope import scope_of
from bot.wire import parse_reference
from testkit import FakeConnector, free_port
from testkit import activities as a
from testkit.connector import TEAMS_TENANT_LIMITS

SECRET_TEXT = "confidential announcement text"


class FakeTime:
    """A clock for the limiter and a sleep for both: sleeping advances the clock at once."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)  # let other senders run, as a real sleep would


_made: list[OnboardingAdapter] = []


def make_adapter() -> OnboardingAdapter:
    """As bot/web.py builds it (anonymous), with the same turn-error handler; closed after
    the test (its HTTP session with it)."""
    adapter = OnboardingAdapter(
        ConfigurationBotFrameworkAuthentication(Settings().bot_framework_config())
    )
    adapter.on_turn_error = log_turn_error
    _made.append(adapter)
    return adapter


@pytest.fixture(autouse=True)
async def close_adapters() -> AsyncIterator[None]:
    yield
    while _made:
        await _made.pop().close()


def reference_for(service_url: str, conversation: str = a.TEAM) -> dict[str, Any]:
    """The reference the bot stores for a conversation (bot/scope.py), from a real message."""
    activity = Activity().deserialize(a.message(service_url, "status", conversation=conversation))
    return scope_of(activity).reference


def with_tenant(reference: dict[str, Any], tenant: str) -> dict[str, Any]:
    """The reference with Teams' `conversation.tenantId`, as the issue describes it."""
    return {**reference, "conversation": {**reference["conversation"], "tenantId": tenant}}


class SpyLimiter(RateLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[tuple[str, str]] = []

    async def acquire(self, tenant_id: str, conversation_id: str) -> float:
        self.keys.append((tenant_id, conversation_id))
        return 0.0


def text_message(text: str = SECRET_TEXT) -> Activity:
    return Activity(type=ActivityTypes.message, text=text)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def outbound(fake_time: FakeTime) -> Outbound:
    return Outbound(
        make_adapter(),
        "",
        limiter=RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep),
        sleep=fake_time.sleep,
        rng=lambda: 1.0,  # the top of every jitter range: back-off delays are predictable
    )


def activity_calls(connector: FakeConnector, method: str = "POST") -> list[Any]:
    return [c for c in connector.sent(method) if "/activities" in c.path]


# A proactive post ------------------------------------------------------------------------


async def test_post_reaches_the_conversation_of_a_stored_reference(
    connector: FakeConnector, outbound: Outbound
) -> None:
    reference = reference_for(connector.url)
    # The channel's root, not the thread the message came from. (No tenant id: botbuilder's
    # ConversationAccount reads "tenantID", so Teams' "tenantId" is lost on the way in.)
    assert reference["conversation"] == {
        "id": a.TEAM,
        "conversationType": "channel",
        "tenantId": a.TENANT,
    }
    assert reference["channelId"] == "msteams" and reference["bot"]["id"] == a.BOT_ID

    message_id = await outbound.post(reference, text_message("hello channel"))

    [call] = connector.calls
    assert call.method == "POST"
    assert call.path.startswith(f"/v3/conversations/{a.TEAM}/activities")
    assert call.body["text"] == "hello channel"
    assert call.body["conversation"]["id"] == a.TEAM
    assert message_id is not None and message_id.startswith("sent-")


async def test_limiter_is_keyed_by_tenant_and_conversation(connector: FakeConnector) -> None:
    spy = SpyLimiter()
    outbound = Outbound(make_adapter(), "", limiter=spy)
    reference = reference_for(connector.url)

    without_tenant = {
        **reference,
        "conversation": {k: v for k, v in reference["conversation"].items() if k != "tenantId"},
    }
    await outbound.post(with_tenant(reference, "tenant-2"), text_message())
    await outbound.post(without_tenant, text_message())

    assert spy.keys == [("tenant-2", a.TEAM), ("unknown", a.TEAM)]


async def test_default_construction_as_web_py_does_it(connector: FakeConnector) -> None:
    outbound = Outbound(make_adapter(), Settings().app_id)
    assert await outbound.post(reference_for(connector.url), text_message()) is not None
    assert len(connector.calls) == 1


async def test_post_does_not_change_the_activity_given(
    connector: FakeConnector, outbound: Outbound
) -> None:
    activity = text_message()
    await outbound.post(reference_for(connector.url), activity)
    assert activity.conversation is None and activity.reply_to_id is None


# Retries ---------------------------------------------------------------------------------


async def test_429_waits_what_retry_after_says_then_sends(
    connector: FakeConnector, outbound: Outbound, fake_time: FakeTime
) -> None:
    connector.fail_next(429, headers={"Retry-After": "3"})

    message_id = await outbound.post(reference_for(connector.url), text_message())

    assert len(activity_calls(connector)) == 2
    assert len(fake_time.sleeps) == 1 and fake_time.sleeps[0] >= 3
    assert message_id is not None and message_id.startswith("sent-")


async def test_429_without_retry_after_backs_off(
    connector: FakeConnector, outbound: Outbound, fake_time: FakeTime
) -> None:
    connector.fail_next(429, times=2)
    assert await outbound.post(reference_for(connector.url), text_message())
    assert len(activity_calls(connector)) == 3
    assert fake_time.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("status", [412, 500, 502, 503, 504])
async def test_transient_failure_is_retried(
    connector: FakeConnector, outbound: Outbound, fake_time: FakeTime, status: int
) -> None:
    connector.fail_next(status)
    assert await outbound.post(reference_for(connector.url), text_message())
    assert len(activity_calls(connector)) == 2
    assert fake_time.sleeps == [0.5]


async def test_gives_up_after_max_attempts(
    connector: FakeConnector,
    outbound: Outbound,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connector.fail_next(502, times=50)
    caplog.set_level(logging.WARNING, logger="bot.outbound")

    with pytest.raises(DeliveryFailed) as failed:
        await outbound.post(reference_for(connector.url), text_message())

    assert outbound.max_attempts == 6
    assert len(activity_calls(connector)) == 6
    assert failed.value.attempts == 6 and failed.value.status == 502
    assert failed.value.code == "Simulated"
    # Exponential back-off, full jitter at its top (rng = 1.0): base 0.5 s, doubling.
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
    # One line per failed attempt, none with the message text.
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.outbound"]
    assert len(lines) == 6
    assert all("status=502" in line for line in lines)
    assert "giving up" in lines[-1]
    assert not any(SECRET_TEXT in line for line in lines)


async def test_back_off_is_capped_and_jittered(connector: FakeConnector) -> None:
    fake_time = FakeTime()
    draws = iter([1.0] * 9)
    outbound = Outbound(
        make_adapter(),
        "",
        limiter=RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep),
        sleep=fake_time.sleep,
        rng=lambda: next(draws),
        max_attempts=10,
    )
    connector.fail_next(500, times=10)
    with pytest.raises(DeliveryFailed):
        await outbound.post(reference_for(connector.url), text_message())
    assert fake_time.sleeps == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert len(activity_calls(connector)) == 10

    # Full jitter: the delay is the random draw times the exponential ceiling.
    halves = Outbound(make_adapter(), "", sleep=fake_time.sleep, rng=lambda: 0.25)
    fake_time.sleeps.clear()
    connector.fail_next(500, times=3)
    assert await halves.post(reference_for(connector.url), text_message())
    assert fake_time.sleeps == [0.125, 0.25, 0.5]


@pytest.mark.parametrize(
    ("status", "code"),
    [(403, "BotNotInConversationRoster"), (403, "ConversationBlockedByUser"), (404, None)],
)
async def test_unreachable_conversation_is_not_retried(
    connector: FakeConnector,
    outbound: Outbound,
    fake_time: FakeTime,
    status: int,
    code: str | None,
) -> None:
    connector.fail_next(status, times=5, code=code or "ConversationNotFound")

    with pytest.raises(ConversationUnreachable) as gone:
        await outbound.post(reference_for(connector.url), text_message())

    assert len(activity_calls(connector)) == 1
    assert gone.value.status == status
    assert gone.value.code == (code or "ConversationNotFound")
    assert isinstance(gone.value, OutboundError) and not isinstance(gone.value, DeliveryFailed)
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 413])
async def test_failures_retrying_cannot_fix_fail_at_once(
    connector: FakeConnector, outbound: Outbound, fake_time: FakeTime, status: int
) -> None:
    connector.fail_next(status, times=5)
    with pytest.raises(DeliveryFailed) as failed:
        await outbound.post(reference_for(connector.url), text_message())
    assert len(activity_calls(connector)) == 1
    assert failed.value.status == status and failed.value.attempts == 1
    assert fake_time.sleeps == []


async def test_an_error_page_that_is_not_json_is_retried(
    connector: FakeConnector, outbound: Outbound, fake_time: FakeTime
) -> None:
    # botbuilder cannot parse the body, and the error it raises has no status.
    connector.fail_next(502, text="<html><body>Bad Gateway</body></html>")
    assert await outbound.post(reference_for(connector.url), text_message())
    assert len(activity_calls(connector)) == 2
    assert fake_time.sleeps == [0.5]


async def test_no_answer_at_all_is_retried_then_given_up(fake_time: FakeTime) -> None:
    port = free_port()  # a loopback port nobody listens on
    outbound = Outbound(
        make_adapter(),
        "",
        limiter=RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep),
        sleep=fake_time.sleep,
        rng=lambda: 1.0,
        max_attempts=3,
    )
    with pytest.raises(DeliveryFailed) as failed:
        await outbound.post(reference_for(f"http://127.0.0.1:{port}/"), text_message())
    assert failed.value.status is None and failed.value.attempts == 3
    assert fake_time.sleeps == [0.5, 1.0]


async def test_a_bug_is_raised_as_it_is(fake_time: FakeTime) -> None:
    class BrokenAdapter:
        calls = 0

        async def continue_conversation(self, *args: Any) -> None:
            BrokenAdapter.calls += 1
            raise KeyError("bug")

    outbound = Outbound(BrokenAdapter(), "", sleep=fake_time.sleep)  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        await outbound.post(reference_for("http://127.0.0.1:1/"), text_message())
    assert BrokenAdapter.calls == 1 and fake_time.sleeps == []


# Updates (PUT) ---------------------------------------------------------------------------


async def test_update_replaces_the_message_once_per_attempt(
    connector: FakeConnector, outbound: Outbound, fake_time: FakeTime
) -> None:
    # The connector's own HTTP pipeline would retry a PUT 500 three more times with real,
    # blocking sleeps; every attempt here is exactly one request.
    connector.fail_next(500)
    connector.fail_next(429, headers={"Retry-After": "2"})
    reference = reference_for(connector.url)

    updated = await outbound.update(reference, "sent-42", text_message("new state"))

    puts = activity_calls(connector, "PUT")
    assert [c.path for c in puts] == [f"/v3/conversations/{a.TEAM}/activities/sent-42"] * 3
    assert puts[-1].body["text"] == "new state"
    assert updated == "sent-42"
    assert len(puts) == len(fake_time.sleeps) + 1  # one request per attempt of ours
    assert fake_time.sleeps[0] == 0.5 and fake_time.sleeps[1] >= 2


async def test_update_of_a_message_teams_lost_says_so(
    connector: FakeConnector, outbound: Outbound
) -> None:
    connector.fail_next(404, code="ActivityNotFoundInConversation")
    with pytest.raises(ActivityNotFound):
        await outbound.update(reference_for(connector.url), "sent-1", text_message())
    assert len(activity_calls(connector, "PUT")) == 1

    connector.fail_next(403, code="BotNotInConversationRoster")
    with pytest.raises(ConversationUnreachable):
        await outbound.update(reference_for(connector.url), "sent-1", text_message())


# Reading status and Retry-After ---------------------------------------------------------------


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=7), usegmt=True), now) == 7
    assert parse_retry_after(format_datetime(now - timedelta(seconds=7), usegmt=True), now) == 0
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("99999") == 300.0  # capped
    for bad in (None, "", "soon", "nan"):
        assert parse_retry_after(bad) is None


def test_failure_of_other_transports() -> None:
    headers = CIMultiDictProxy(CIMultiDict({"retry-after": "4"}))
    error = aiohttp.ClientResponseError(None, (), status=429, headers=headers)  # type: ignore[arg-type]
    assert failure_of(error) == Failure(429, None, 4.0)
    assert failure_of(ClientRequestError("no route")) == Failure(None)
    assert failure_of(TimeoutError()) == Failure(None)
    assert failure_of(aiohttp.ClientConnectionError()) == Failure(None)
    assert failure_of(ValueError("a bug")) is None

    class Response:  # anything with status_code and headers
        status_code = 503
        text = '{"error": {"code": "ServiceUnavailable"}}'

        def __init__(self) -> None:
            self.headers = {"RETRY-AFTER": "2"}  # a plain dict, not case-insensitive

    class Raised(Exception):
        response = Response()

    assert failure_of(Raised()) == Failure(503, "ServiceUnavailable", 2.0)


# The rate limiter ------------------------------------------------------------------------


def most_in_any_window(times: Sequence[float], seconds: float) -> int:
    """The most of `times` inside any half-open interval `seconds` long."""
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, sum(1 for t in ordered[i:] if t < start + seconds))
    return best


def assert_within(times: Sequence[float], windows: Sequence[Window]) -> None:
    for window in windows:
        assert most_in_any_window(times, window.seconds) <= window.limit, window


async def test_one_conversation_is_paced_at_7_per_second_and_8_per_2_seconds(
    fake_time: FakeTime,
) -> None:
    limiter = RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep, margin=0)
    start = fake_time.now
    times = []
    for _ in range(20):
        await limiter.acquire("t1", "c1")
        times.append(fake_time.now - start)

    assert_within(times, CONVERSATION_WINDOWS)
    # And no slower than the limits need: 7 at once, then as the 1 s and 2 s windows allow.
    assert times == [0.0] * 7 + [1.0] + [2.0] * 7 + [3.0] + [4.0] * 4


async def test_one_conversation_within_60_per_30_seconds(fake_time: FakeTime) -> None:
    limiter = RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep)
    times = []
    for _ in range(130):
        await limiter.acquire("t1", "c1")
        times.append(fake_time.now)
    assert_within(times, CONVERSATION_WINDOWS)
    assert most_in_any_window(times, 30.0) == 60


async def test_tenant_is_paced_at_50_per_second_across_conversations(
    fake_time: FakeTime,
) -> None:
    assert TENANT_PER_SECOND == 50
    limiter = RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep)
    times: list[float] = []

    async def send(conversation: str) -> None:
        await limiter.acquire("t1", conversation)
        times.append(fake_time.now)

    await asyncio.gather(*(send(f"c{i % 100}") for i in range(200)))

    assert len(times) == 200
    assert most_in_any_window(times, 1.0) == 50
    assert_within(times, TENANT_WINDOWS)
    # Another tenant is not held up by this one.
    before = fake_time.now
    assert await limiter.acquire("t2", "c0") == 0 and fake_time.now == before


async def test_limiter_forgets_idle_conversations(fake_time: FakeTime) -> None:
    limiter = RateLimiter(clock=fake_time.clock, sleep=fake_time.sleep)
    for i in range(30):
        await limiter.acquire("t1", f"c{i}")
    assert limiter.tracked == 31
    fake_time.now += 2 * 3600
    await limiter.acquire("t1", "fresh")
    assert limiter.tracked == 2


# The fake connector's own throttling, and the sender against it -----------------------------


async def test_outbound_stays_within_teams_limits(
    connector: FakeConnector, outbound: Outbound, fake_time: FakeTime
) -> None:
    connector.clock = fake_time.clock
    connector.enforce_limits()
    reference = reference_for(connector.url)

    for _ in range(20):
        assert await outbound.post(reference, text_message())

    assert len(activity_calls(connector)) == 20
    assert connector.throttled == 0


async def test_without_pacing_teams_throttles_and_retry_after_recovers(
    connector: FakeConnector, fake_time: FakeTime
) -> None:
    connector.clock = fake_time.clock
    connector.enforce_limits()
    unlimited = RateLimiter(
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        conversation_windows=[Window(10_000, 1.0)],
        tenant_windows=[Window(10_000, 1.0)],
    )
    outbound = Outbound(
        make_adapter(), "", limiter=unlimited, sleep=fake_time.sleep, rng=lambda: 0.0
    )
    reference = reference_for(connector.url)

    for _ in range(10):
        assert await outbound.post(reference, text_message())

    assert connector.throttled > 0
    posts = activity_calls(connector)
    assert len(posts) == 10 + connector.throttled
    # Every 429 carried a Retry-After, and the sender waited it (whole seconds, >= 1).
    assert len(fake_time.sleeps) == connector.throttled
    assert all(s >= 1 for s in fake_time.sleeps)


async def test_the_fake_connector_limits_each_tenant_of_its_conversations_apart(
    connector: FakeConnector, fake_time: FakeTime
) -> None:
    """Teams knows each conversation's tenant: 50 sends/s to one tenant's conversations and 50
    to another's pass together; the 51st to one tenant within the second is answered 429."""
    connector.clock = fake_time.clock
    connector.enforce_limits()
    unlimited = RateLimiter(
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        conversation_windows=[Window(10_000, 1.0)],
        tenant_windows=[Window(10_000, 1.0)],
    )
    outbound = Outbound(
        make_adapter(), "", limiter=unlimited, sleep=fake_time.sleep, rng=lambda: 0.0
    )
    for tenant in ("t-north", "t-south"):
        for i in range(TEAMS_TENANT_LIMITS[0][0]):
            conversation = f"19:{tenant}-{i}@thread.tacv2"
            connector.conversation_tenants[conversation] = tenant
            assert await outbound.post(reference_for(connector.url, conversation), text_message())
    assert connector.throttled == 0

    conversation = "19:t-north-extra@thread.tacv2"
    connector.conversation_tenants[conversation] = "t-north"
    assert await outbound.post(reference_for(connector.url, conversation), text_message())
    assert connector.throttled == 1, "the tenant's 51st send in the second waited a Retry-After"
    assert fake_time.sleeps == [1.0]


async def test_a_send_counts_from_its_completion_once_settled(fake_time: FakeTime) -> None:
    """Teams counts arrivals; a slow send may arrive late, so it counts until it completes."""
    limiter = RateLimiter(
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        margin=0,
        conversation_windows=(Window(100, 1.0),),
        tenant_windows=(Window(2, 1.0),),
    )
    start = fake_time.now
    for conversation in ("c1", "c2"):
        await limiter.acquire("t1", conversation)
    fake_time.now += 0.4  # both sends take 0.4 s to complete
    limiter.settle("t1", "c1")
    limiter.settle("t1", "c2")
    await limiter.acquire("t1", "c3")
    assert fake_time.now - start == pytest.approx(1.4)
    # Without settling, the grant times count: the next slot frees at grant + 1 s.
    unsettled = RateLimiter(
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        margin=0,
        conversation_windows=(Window(100, 1.0),),
        tenant_windows=(Window(2, 1.0),),
    )
    begin = fake_time.now
    for conversation in ("c1", "c2", "c3"):
        await unsettled.acquire("t1", conversation)
    assert fake_time.now - begin == pytest.approx(1.0)


def _without_continuation_id(call: Any) -> tuple[str, str, Any]:
    """A recorded post with the continuation event's id (new on every send) blanked out."""
    reply_to = call.body["replyToId"]
    assert reply_to and call.path.endswith(f"/activities/{reply_to}")
    return call.method, call.path.removesuffix(reply_to), {**call.body, "replyToId": "…"}


@pytest.mark.parametrize(
    "activity",
    [text_message(), card_message({"type": "AdaptiveCard", "version": "1.5", "body": []})],
    ids=["text", "card"],
)
async def test_a_post_without_botbuilders_turn_is_the_request_its_turn_would_make(
    connector: FakeConnector, activity: Activity
) -> None:
    adapter = make_adapter()
    stored = with_tenant(reference_for(connector.url), "tenant-a")

    async def send_in_turn(turn_context: TurnContext) -> None:
        await send_owned(turn_context, copy.copy(activity))

    await adapter.continue_conversation(parse_reference(stored), send_in_turn, "")
    sent = await adapter.post_message(parse_reference(stored), copy.copy(activity), "")

    in_turn, direct = activity_calls(connector)
    assert sent is not None and sent.id
    assert _without_continuation_id(direct) == _without_continuation_id(in_turn)
    assert direct.body["replyToId"] != in_turn.body["replyToId"], "a new event id each time"


async def test_outbound_posts_without_a_turn_and_falls_back_to_one_when_it_must(
    connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = make_adapter()
    outbound = Outbound(adapter, "")
    turns = 0
    continue_conversation = adapter.continue_conversation

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal turns
        turns += 1
        return await continue_conversation(*args, **kwargs)

    monkeypatch.setattr(adapter, "continue_conversation", counted)
    await outbound.post(reference_for(connector.url), text_message())
    assert turns == 0 and len(activity_calls(connector)) == 1

    async def not_ours(*args: Any) -> None:
        return None  # a connector client of a kind ConnectorHttp does not call for

    monkeypatch.setattr(adapter, "post_message", not_ours)
    await outbound.post(reference_for(connector.url), text_message())
    assert turns == 1 and len(activity_calls(connector)) == 2
