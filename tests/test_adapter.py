"""The HTTP entry point, including the botbuilder 4.17.1 invoke defect it works around."""

from __future__ import annotations

from botbuilder.schema import Activity, ConversationAccount

from bot.adapter import _ACTIVITY, json_body
from tests import activities as a
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


def test_activities_parse_as_botbuilders_own_deserialize_parses_them() -> None:
    """The adapter keeps one msrest deserializer instead of building one per request; it
    must give the same Activity, nested models and timestamps included."""
    url = "https://smba.example/amer/"
    shapes = [
        *a.install(url),
        a.message(url, "status"),
        a.click(url, "task.done", {"task": "initiate.start-onboarding"}),
        a.click(url, "task.done", {"task": "x"}, conversation="a:1", conversation_type="personal"),
    ]
    for body in shapes:
        body = {**body, "timestamp": "2026-11-29T10:00:00.1234567Z"}
        assert _ACTIVITY("Activity", body).__dict__ == Activity().deserialize(body).__dict__
