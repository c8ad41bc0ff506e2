"""Personal reminders to owners, through the real adapter on both backends: the digest run
sends each owner of overdue tasks one message a day in their 1:1 chat (created through the
Bot Connector), once with two instances over two ticks; a 403 from Teams stops them for that
person (logged once); the person's own switch stops and resumes them."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from testkit import FakeConnector
from testkit import activities as a
from tests.card_schema import card_errors
from tests.harness import BotHarness
from tests.steps import run_scheduled, two_instances

SUNDAY = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Monday 30 Nov 2026 09:05 UTC: just after the default weekday 09:00 digest (UTC before setup).
MONDAY = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)
OWNER = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
# The fake names a 1:1 chat after the member it was created for (the owner's Entra id).
CHAT = "a:personal-aad-user2"


@pytest.fixture
async def two_bots(store_factory, connector: FakeConnector):
    async with two_instances(store_factory, connector, SUNDAY) as instances:
        yield instances


async def run_nudges(bot: BotHarness) -> dict[str, list[str]]:
    return await run_scheduled(bot, "/api/nudges/run")


async def tick(bots: list[BotHarness]) -> None:
    """Both instances' schedulers at once."""
    outcomes = await asyncio.gather(*(run_nudges(bot) for bot in bots))
    assert sum(len(o["failed"]) for o in outcomes) == 0


async def with_overdue_task(
    bot: BotHarness, connector: FakeConnector, conversation: str = a.TEAM, kind: str = "channel"
) -> None:
    where = {"conversation": conversation, "conversation_type": kind}
    for activity in a.install(bot.service_url, **where):
        await bot.send(activity)
    form = {"task": "initiate.start-onboarding", "owner": "aad-user2", "due": "2026-11-27"}
    status, _ = await bot.send(a.click(bot.service_url, "task.save", form, **where))
    assert status == 200
    connector.calls.clear()


def reminders(connector: FakeConnector) -> list[dict]:
    """The personal reminders posted into the owner's 1:1 chat (once the owner has talked to
    the bot there, that chat has an engagement of its own, with its own digest)."""
    return [
        a["content"]
        for c in connector.sent("POST")
        if c.path.startswith(f"/v3/conversations/{CHAT}/")
        for a in c.body.get("attachments") or []
        if "Your overdue tasks" in json.dumps(a["content"])
    ]


async def switch(bot: BotHarness, verb: str) -> str:
    """The owner clicks the switch in their 1:1 chat; returns the answer's text."""
    click = a.click(
        bot.service_url, verb, {}, conversation=CHAT, conversation_type="personal", sender=OWNER
    )
    status, body = await bot.send(click)
    assert status == 200, body
    return json.dumps(body)


async def test_once_a_day_in_the_owners_1_1_chat_with_two_instances(two_bots, connector) -> None:
    bots, clock = two_bots
    await with_overdue_task(bots[0], connector)
    clock["now"] = MONDAY
    for _ in range(2):  # two scheduler ticks, both instances at once
        await tick(bots)
    [created] = connector.created()
    assert created.body["members"] == [{"id": "aad-user2"}]
    assert created.body["channelData"] == {"tenant": {"id": a.TENANT}}
    [card] = reminders(connector)
    assert card_errors(card) == []
    text = json.dumps(card)
    assert "Your overdue tasks" in text and "Kim Minji" in text
    assert [action["verb"] for action in card["actions"]] == ["reminders.stop"]
    # The task's own buttons point at the engagement (the 1:1 chat is another conversation).
    assert '"engagement": "eng-' in text and '"view": "mytasks"' in text
    # Later the same day: nothing more. The next weekday: the next reminder.
    clock["now"] = MONDAY + timedelta(hours=6)
    await tick(bots)
    assert len(reminders(connector)) == 1
    clock["now"] = MONDAY + timedelta(days=1)
    await tick(bots)
    assert len(reminders(connector)) == 2


async def test_one_a_day_for_an_owner_in_two_engagements(two_bots, connector) -> None:
    bots, clock = two_bots
    await with_overdue_task(bots[0], connector)
    await with_overdue_task(bots[1], connector, "19:group@thread.v2", kind="groupChat")
    clock["now"] = MONDAY
    # Each instance runs the digest alone, one after the other: both engagements are due.
    for bot in bots:
        await run_nudges(bot)
    [card] = reminders(connector)
    # The one message lists the overdue tasks the person owns in both engagements.
    assert json.dumps(card).count('"engagement": "eng-') >= 2
    assert len({c.path for c in connector.sent("POST") if "/19:" in c.path}) == 2


async def test_a_403_from_teams_stops_them_for_that_person(two_bots, connector, caplog) -> None:
    bots, clock = two_bots
    await with_overdue_task(bots[0], connector)
    connector.blocked.add("aad-user2")
    clock["now"] = MONDAY
    with caplog.at_level(logging.WARNING, logger="bot.reminders"):
        await tick(bots)
        assert len(connector.created()) == 1 and reminders(connector) == []
        # The digest in the channel still went out; the next days try the person no more.
        for day in (1, 2):
            clock["now"] = MONDAY + timedelta(days=day)
            await tick(bots)
    assert len(connector.created()) == 1
    stopped = [r for r in caplog.records if "personal reminders stopped" in r.getMessage()]
    assert len(stopped) == 1 and "403" in stopped[0].getMessage()


async def test_the_owners_switch_stops_and_resumes_them(two_bots, connector) -> None:
    bots, clock = two_bots
    await with_overdue_task(bots[0], connector)
    clock["now"] = MONDAY
    await tick(bots)
    assert len(reminders(connector)) == 1
    answer = await switch(bots[1], "reminders.stop")
    assert "Personal reminders are off" in answer and "reminders.resume" in answer
    clock["now"] = MONDAY + timedelta(days=1)
    await tick(bots)
    assert len(reminders(connector)) == 1
    answer = await switch(bots[0], "reminders.resume")
    assert "Personal reminders are on" in answer
    clock["now"] = MONDAY + timedelta(days=2)
    await tick(bots)
    assert len(reminders(connector)) == 2
