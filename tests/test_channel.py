"""The engagement's channel is where the bot was installed: activities from the team's other
channels never move where nudges and announcements go, and reading there stores nothing
(issue 16 item 1)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, cast

import pytest

from bot import proactive
from bot.outbound import Outbound
from bot.web import POSTER
from dialogs.context import Announcement
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


async def test_a_click_that_completes_a_phase_answers_before_its_announcement_is_posted(
    bot: BotHarness, connector: FakeConnector
) -> None:
    """Teams gives a click 15 s: its answer does not wait for the announcement, which goes out
    after it, through Teams' rate limits (here a 429 asking for 2 s)."""
    await installed(bot, connector)
    for task in INITIATE:
        status, _ = await bot.send(a.click(bot.service_url, "task.done", {"task": task}))
        assert status == 200
    connector.calls.clear()
    connector.fail_next(429, headers={"Retry-After": "2"})
    sign = {"phase": "initiate", "side": "customer"}
    started = time.monotonic()
    # A card whose message id Teams did not send: no shared card to update in the turn.
    signoff = a.click(bot.service_url, "phase.signoff", sign, reply_to="")
    status, _ = await bot.post_raw(json.dumps(signoff).encode(), settle=False)
    answered_s = time.monotonic() - started
    assert status == 200
    assert answered_s < 1.5, f"the answer waited {answered_s:.1f} s for the announcement"
    assert not any("complete" in str(call.body) for call in connector.sent("POST"))
    assert bot.runner is not None
    await bot.runner.app[POSTER].drain()
    posts = [call for call in connector.sent("POST") if call.conversation_id == a.TEAM]
    assert len(posts) == 2, "the announcement: refused once (429), then posted"
    assert "Initiate is complete" in str(posts[-1].body)


class _HeldOutbound:
    """An Outbound whose posts wait until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.posted: list[str] = []

    async def post(self, reference: dict[str, Any], activity: Any, **_: Any) -> str:
        await self.release.wait()
        self.posted.append(reference["id"])
        return "m"


async def test_past_the_announcements_under_way_a_turn_posts_its_own_before_answering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Background announcements are bounded: once ANNOUNCING_MOST batches are under way, the
    next turn waits for its own (nothing is dropped, nothing queues without bound)."""
    monkeypatch.setattr(proactive, "ANNOUNCING_MOST", 1)
    outbound = _HeldOutbound()
    poster = proactive.ProactivePoster(cast(Outbound, outbound))
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    await asyncio.wait_for(poster.announce([Announcement({"id": "first"}, card)]), 1)
    second = asyncio.create_task(poster.announce([Announcement({"id": "second"}, card)]))
    await asyncio.sleep(0.05)
    assert not second.done(), "the second batch did not wait for its own posts"
    outbound.release.set()
    await asyncio.wait_for(second, 1)
    await asyncio.wait_for(poster.drain(), 1)
    assert sorted(outbound.posted) == ["first", "second"]
