"""Issue 22, item 0: a conversation's member list is kept briefly (bot/roster.py), so clicks
in a row ask Teams once; joins and leaves (conversationUpdate) forget it, and a person the
kept list lacks is looked up again before being refused."""

from __future__ import annotations

import json
from typing import Any

from bot.recent import Recent
from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
TASK = "initiate.start-onboarding"
KIM = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
LEE = {"id": "29:user3", "name": "Lee Jun", "aadObjectId": "aad-user3"}
REFUSED = "That person is not in this conversation"


def member_lists(connector: FakeConnector) -> int:
    """How many times the bot asked Teams for a whole member list."""
    return sum(
        1
        for c in connector.sent("GET")
        if c.path.endswith("/pagedmembers") or c.path.endswith("/members")
    )


def membership_event(bot: BotHarness, change: str, member: dict[str, str]) -> dict[str, Any]:
    """The conversationUpdate Teams sends when `member` joins or leaves the team."""
    event = a.install(bot.service_url)[0]
    del event["membersAdded"]
    event[change] = [{"id": member["id"], "aadObjectId": member["aadObjectId"]}]
    return event


async def save_owner(bot: BotHarness, owner: str) -> str:
    form = {"task": TASK, "view": "task", "owner": owner, "due": "", "note": ""}
    return json.dumps((await click(bot, "task.save", form))["value"], ensure_ascii=False)


async def owner(bot: BotHarness) -> str | None:
    assert bot.store is not None
    record = (await EngagementRepository(bot.store).get(TEAM.id)).record(TASK)
    return record.owner.id if record.owner else None


async def test_a_second_details_save_within_the_minute_asks_teams_for_no_members(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await save_owner(bot, "aad-user2")
    connector.calls.clear()
    answer = await save_owner(bot, "aad-user1")
    assert REFUSED not in answer and await owner(bot) == "aad-user1"
    assert member_lists(connector) == 0
    assert "Kim Minji" in answer  # the people picker still lists the members


async def test_someone_who_just_joined_is_accepted_at_once(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await save_owner(bot, "aad-user2")
    connector.members.append(LEE)
    status, _ = await bot.send(membership_event(bot, "membersAdded", LEE))
    assert status in (200, 201)
    connector.calls.clear()
    answer = await save_owner(bot, "aad-user3")
    assert REFUSED not in answer and await owner(bot) == "aad-user3"
    assert "Lee Jun" in answer
    assert member_lists(connector) == 1


async def test_someone_teams_lists_but_the_kept_list_lacks_is_accepted(
    bot: BotHarness, connector: FakeConnector
) -> None:
    """No event reached this process (another instance got it): the list is asked again."""
    await installed(bot, connector)
    await set_up(bot, language="en")
    await save_owner(bot, "aad-user2")
    connector.members.append(LEE)
    connector.calls.clear()
    answer = await save_owner(bot, "aad-user3")
    assert REFUSED not in answer and await owner(bot) == "aad-user3"
    assert member_lists(connector) == 1
    # Someone Teams does not list either is refused, after asking Teams once more.
    connector.calls.clear()
    assert REFUSED in await save_owner(bot, "aad-nobody")
    assert member_lists(connector) == 1 and await owner(bot) == "aad-user3"


async def test_someone_who_left_is_refused_at_once(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await save_owner(bot, "aad-user1")  # the list is kept, Kim in it
    connector.members = [m for m in connector.members if m["id"] != KIM["id"]]
    status, _ = await bot.send(membership_event(bot, "membersRemoved", KIM))
    assert status in (200, 201)
    connector.calls.clear()
    answer = await save_owner(bot, "aad-user2")
    assert REFUSED in answer and await owner(bot) == "aad-user1"
    assert "Kim Minji" not in answer
    assert member_lists(connector) == 1  # Teams, asked once in the turn, decides


async def test_opening_a_team_engagement_from_the_personal_chat_asks_teams_every_time(
    bot: BotHarness, connector: FakeConnector
) -> None:
    """The check that grants sight of an engagement is never read from a kept list."""
    await installed(bot, connector)
    await set_up(bot, language="en")
    await click(bot, "task.show", {"task": TASK}, sender=KIM)  # Kim's list is kept
    personal = {"conversation": f"a:personal-{KIM['id']}", "conversation_type": "personal"}
    opened = {"engagement": TEAM.id}
    answer = await click(bot, "engagement.open", opened, sender=KIM, **personal)
    assert "not a member" not in json.dumps(answer)
    # Kim leaves; no event reaches this instance: Teams' answer still refuses her.
    connector.members = [m for m in connector.members if m["id"] != KIM["id"]]
    connector.calls.clear()
    answer = await click(bot, "engagement.open", opened, sender=KIM, **personal)
    assert "not a member of that engagement" in json.dumps(answer)
    assert [c for c in connector.sent("GET") if c.path.endswith("/members/29:user2")]


def test_kept_entries_expire_and_the_least_recently_used_goes_first() -> None:
    now = [0.0]
    kept: Recent[str, int] = Recent(2, ttl_s=60.0, clock=lambda: now[0])
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "b" is now the least recently used
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    now[0] = 59.9
    assert kept.get("a") == 1
    now[0] = 60.0
    assert kept.get("a") is None and kept.get("c") is None
