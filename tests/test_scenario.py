"""A stakeholder's path through the real adapter over HTTP, with the fake connector."""

from __future__ import annotations

import json

from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness


def card_text(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_install_status_phase_click_restart(bot: BotHarness, connector: FakeConnector):
    for activity in a.install(bot.service_url):
        status, _ = await bot.send(activity)
        assert status in (200, 201)
    posts = connector.sent("POST")
    assert len(posts) == 1, "one welcome card, although Teams sent two installation events"
    assert posts[0].conversation_id == a.TEAM
    assert "Welcome" in card_text(connector.cards()[0])

    connector.reset()
    status, _ = await bot.send(a.message(bot.service_url, "status", mention=True))
    assert status in (200, 201)
    overview = connector.cards("POST")[-1]
    assert "Current phase: Initiate" in card_text(overview)

    await bot.send(a.message(bot.service_url, "phase assess"))
    assess = card_text(connector.cards("POST")[-1])
    assert "assess.identify-stakeholders" in assess

    status, body = await bot.send(
        a.click(bot.service_url, "task.done", {"task": "assess.identify-stakeholders"})
    )
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Done · User One" in card_text(body["value"])
    # The shared card in the channel is updated in place for everyone (among the updates of
    # the channel's other live cards, which run in the background).
    assert any(put.path.endswith("/activities/card-1") for put in connector.sent("PUT"))

    await bot.restart()
    connector.reset()
    await bot.send(a.message(bot.service_url, "phase assess"))
    assert "Done · User One" in card_text(connector.cards("POST")[-1])
