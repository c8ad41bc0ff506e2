"""The engagement's channel is where the bot was installed: activities from the team's other
channels never move where nudges and announcements go, and reading there stores nothing
(issue 16 item 1)."""

from __future__ import annotations

from typing import Any

from domain.engagement import Change, EngagementKey
from storage.base import Document
from storage.repository import EngagementRepository
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

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
    sign = {"phase": "initiate", "side": "customer"}
    status, _ = await bot.send(
        a.click(bot.service_url, "phase.signoff", sign, conversation=OTHER_CHANNEL)
    )
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


def _channel_choice(body: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == "channel" and node.get("type") == "Input.ChoiceSet":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    [choice] = found
    return choice


async def test_setup_shows_the_team_channels_and_saving_one_moves_nudges_and_announcements(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    connector.channels = [{"id": OTHER_CHANNEL, "name": "Rollout"}]
    choice = _channel_choice(await click(bot, "setup.show", {}))
    assert choice["value"] == a.TEAM, "the installation's channel is the one chosen"
    assert choice["choices"] == [
        {"title": "General", "value": a.TEAM},
        {"title": "Rollout", "value": OTHER_CHANNEL},
    ]
    # A channel Teams does not list for the team is not taken.
    await set_up(bot, channel="19:elsewhere@thread.tacv2")
    assert _target(await _doc(bot)) == a.TEAM
    await set_up(bot, channel=OTHER_CHANNEL)
    assert _target(await _doc(bot)) == OTHER_CHANNEL
    assert bot.store is not None
    trail = await EngagementRepository(bot.store).audit_trail(ENGAGEMENT.id)
    [moved] = [e for e in trail if e.change is Change.CHANNEL]
    assert (moved.before, moved.after) == ("", "Rollout")
    assert _channel_choice(await click(bot, "setup.show", {}))["value"] == OTHER_CHANNEL
    # Announcements (and nudges: the same address) now go there, whoever clicks where.
    connector.calls.clear()
    for task in INITIATE:
        await click(bot, "task.done", {"task": task})
    await click(bot, "phase.signoff", {"phase": "initiate", "side": "customer"})
    posts = connector.sent("POST")
    assert posts, "the phase completion was not announced"
    assert {call.conversation_id for call in posts} == {OTHER_CHANNEL}
