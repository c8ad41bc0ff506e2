"""The HTTP entry point, including the botbuilder 4.17.1 invoke defect it works around."""

from __future__ import annotations

from botbuilder.schema import ConversationAccount

from bot.adapter import json_body
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
