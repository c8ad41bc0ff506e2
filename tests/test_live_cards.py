"""Issue 18, item 2: the engagement's latest overview and latest card of each phase in its
channel stay current after a change made elsewhere (a 'my tasks' entry, an older card)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from testkit import FakeConnector, card_actions
from testkit import activities as a
from testkit.connector import RecordedCall
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
KIM = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
TASK = "assess.remediation-checklist"
PERSONAL = {"conversation": "a:kim", "conversation_type": "personal", "sender": KIM}


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def updates(connector: FakeConnector, count: int) -> list[RecordedCall]:
    """The message updates, once `count` have arrived (live cards update in the background)."""
    async with asyncio.timeout(5):
        while len(connector.sent("PUT")) < count:  # noqa: ASYNC110 - polls the fake's record
            await asyncio.sleep(0.01)
    return connector.sent("PUT")


async def live_cards(bot: BotHarness) -> dict[str, Any]:
    assert bot.store is not None
    return await EngagementRepository(bot.store).live_cards(TEAM.id)


async def channel_with_live_cards(bot: BotHarness, connector: FakeConnector) -> None:
    """The overview and the Assess card posted in the channel; Kim owns a task of Assess."""
    await installed(bot, connector)
    await set_up(bot, language="en")
    await click(bot, "task.save", {"task": TASK, "owner": "aad-user2"})
    for command in ("status", "phase assess"):
        await bot.send(a.message(bot.service_url, command))
    assert set(await live_cards(bot)) == {"overview", "assess"}
    connector.calls.clear()


def shows_done(card_call: RecordedCall) -> bool:
    content = card_call.body["attachments"][0]["content"]
    return any(
        x.get("verb") == "task.reopen" and x.get("data", {}).get("task") == TASK
        for x in card_actions(content)
    )


async def test_a_done_from_my_tasks_updates_the_channels_cards(bot, connector) -> None:
    await channel_with_live_cards(bot, connector)
    await bot.send(a.message(bot.service_url, "my tasks", **PERSONAL))
    entry = next(x for x in card_actions(connector.cards("POST")[-1]) if x["verb"] == "task.done")
    await click(bot, "task.done", entry["data"], **PERSONAL)

    calls = await updates(connector, 2)
    [overview] = [c for c in calls if "Current phase: " in dump(c.body)]
    [phase] = [c for c in calls if c is not overview]
    # Each in the thread it was posted in.
    assert all(c.conversation_id.startswith(f"{a.TEAM};messageid=") for c in (overview, phase))
    assert shows_done(phase)


async def test_a_done_on_an_older_card_updates_the_latest_ones_once(bot, connector) -> None:
    await channel_with_live_cards(bot, connector)
    await click(bot, "task.done", {"task": TASK}, reply_to="an-older-card")
    calls = await updates(connector, 3)
    await asyncio.sleep(0.1)  # nothing more arrives
    assert len(connector.sent("PUT")) == 3
    targets = sorted(c.path.rsplit("/", 1)[-1] for c in calls)
    assert "an-older-card" in targets  # the clicked one, answered by the click itself
    assert sum(shows_done(c) for c in calls) == 2  # the clicked card and the latest Assess
    # The latest Assess card stays the one kept current.
    assert (await live_cards(bot))["assess"]["activity"] != "an-older-card"


async def test_a_card_teams_cannot_find_is_forgotten(bot, connector) -> None:
    await channel_with_live_cards(bot, connector)
    before = await live_cards(bot)
    connector.fail_next(404, code="ActivityNotFoundInConversation", times=2)
    pointer = {"task": TASK, "engagement": TEAM.id, "view": "mytasks"}
    await click(bot, "task.done", pointer, **PERSONAL)
    async with asyncio.timeout(5):
        while await live_cards(bot) == before:  # noqa: ASYNC110 - polls the store
            await asyncio.sleep(0.01)
    assert await live_cards(bot) == {}
