"""The engagement's channel is where the bot was installed: activities from the team's other
channels never move where nudges and announcements go, and reading there stores nothing
(issue 16 item 1)."""

from __future__ import annotations

from domain.engagement import EngagementKey
from storage.base import Document
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import installed

ENGAGEMENT = EngagementKey(a.TENANT, f"team:{a.TEAM}")
OTHER_CHANNEL = "19:other-channel@thread.tacv2"
INITIATE = ("initiate.start-onboarding", "initiate.readiness-meeting")


async def _doc(bot: BotHarness) -> Document:
    assert bot.store is not None
    doc = await bot.store.read(ENGAGEMENT.id, "engagement")
    assert doc is not None
    return doc


def _target(doc: Document) -> str:
    return str(doc.body["conversationReference"]["conversation"]["id"])


async def test_reading_in_another_channel_stores_nothing(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    before = await _doc(bot)
    for command in ("status", "my tasks", "phase assess"):
        status, _ = await bot.send(a.message(bot.service_url, command, conversation=OTHER_CHANNEL))
        assert status in (200, 201)
    after = await _doc(bot)
    assert after.etag == before.etag, "a read in another channel was written"
    assert _target(after) == a.TEAM


async def test_announcements_go_to_the_engagement_channel_whoever_clicks_where(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    for task in INITIATE:
        click = a.click(bot.service_url, "task.done", {"task": task}, conversation=OTHER_CHANNEL)
        status, _ = await bot.send(click)
        assert status == 200
    assert _target(await _doc(bot)) == a.TEAM
    posts = connector.sent("POST")
    assert posts, "the phase completion was not announced"
    assert {call.conversation_id for call in posts} == {a.TEAM}


async def test_the_installation_sets_the_channel_even_after_another_channel_spoke_first(
    bot: BotHarness, connector: FakeConnector
) -> None:
    status, _ = await bot.send(a.message(bot.service_url, "status", conversation=OTHER_CHANNEL))
    assert status in (200, 201)
    await installed(bot, connector)
    assert _target(await _doc(bot)) == a.TEAM
