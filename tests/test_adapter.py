"""The HTTP entry point, including the botbuilder 4.17.1 invoke defect it works around."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ConversationAccount
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapter import json_body
from bot.wire import parse_activity
from testkit import activities as a
from tests.harness import BotHarness


async def test_invoke_with_a_body_answers_200_with_the_card(bot: BotHarness) -> None:
    """Regression: stock CloudAdapter.process serialises the invoke body twice and answers 500
    ('dict' object has no attribute 'is_xml_model') to every Action.Execute."""
    status, body = await bot.send(a.click(bot.service_url, "status.show"))
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["type"] == "AdaptiveCard"


def test_botbuilder_models_are_still_serialised() -> None:
    assert json_body(ConversationAccount(id="c1", conversation_type="personal")) == {
        "id": "c1",
        "conversationType": "personal",
    }
    assert json_body({"statusCode": 200}) == {"statusCode": 200}


async def test_health_reports_the_store(bot: BotHarness) -> None:
    status, body = await bot.get("/healthz")
    assert status == 200
    assert body == {"status": "ok", "store": "ok"}
    assert bot.store is not None
    await bot.store.close()
    status, body = await bot.get("/healthz")
    assert status == 503
    assert body["status"] == "degraded"


async def test_get_on_messages_is_refused(bot: BotHarness) -> None:
    assert bot.session is not None
    async with bot.session.get(bot.url) as response:
        assert response.status == 405


def _msrest(body: dict[str, Any]) -> Any:
    try:
        return Activity().deserialize(body).__dict__
    except Exception as error:
        return type(error)


def _ours(body: dict[str, Any]) -> Any:
    try:
        return parse_activity(body).__dict__
    except Exception as error:
        return type(error)


def test_activities_parse_as_botbuilders_own_deserialize_parses_them() -> None:
    """The adapter builds activities of Teams' usual shape itself instead of through msrest's
    generic deserializer; it must give the same Activity, nested models included."""
    url = "https://smba.example/amer/"
    shapes = [
        *a.install(url),
        a.message(url, "status"),
        a.click(url, "task.done", {"task": "initiate.start-onboarding"}),
        a.click(url, "task.done", {"task": "x"}, conversation="a:1", conversation_type="personal"),
    ]
    for body in shapes:
        body = {
            **body,
            "timestamp": "2026-11-29T10:00:00.1234567Z",
            "entities": [{"type": "clientInfo", "locale": "ko-KR", "timezone": "Asia/Seoul"}],
        }
        assert _ours(body) == _msrest(body)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
KEYS = st.sampled_from(
    ["id", "name", "aadObjectId", "tenantID", "tenantId", "isGroup", "conversationType", "x"]
)
ACTIVITY_KEYS = st.sampled_from(
    ["type", "id", "timestamp", "localTimestamp", "serviceUrl", "from", "conversation",
     "recipient", "text", "entities", "channelData", "value", "attachments", "historyDisclosed",
     "membersAdded", "replyToId", "name", "locale", "unknownKey"]
)  # fmt: skip


@given(
    top=st.dictionaries(ACTIVITY_KEYS, JSON | st.dictionaries(KEYS, JSON), max_size=6),
    nested=st.dictionaries(KEYS, JSON, max_size=4),
    stamp=st.sampled_from(["2026-11-29T10:00:00Z", "2026-11-29T10:00:00.1234567+09:00", "x"]),
)
@settings(max_examples=400, derandomize=True, deadline=None)
def test_any_activity_parses_as_msrest_parses_it(
    top: dict[str, Any], nested: dict[str, Any], stamp: str
) -> None:
    base = a.click("https://smba.example/", "task.done", {"task": "x"})
    body = {**base, "timestamp": stamp, "from": {**base["from"], **nested}, **top}
    assert _ours(body) == _msrest(body)
