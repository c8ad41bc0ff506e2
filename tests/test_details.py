"""Issue 18 item 1: the Details card is one form with one Save (and the one-click Take it)."""

from __future__ import annotations

import json
from typing import Any

from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from testkit import activities as a
from testkit import card_actions
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
TASK = "initiate.start-onboarding"
COLLEAGUE = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def stored(bot: BotHarness):
    assert bot.store is not None
    return await EngagementRepository(bot.store).get(TEAM.id)


async def notes(bot: BotHarness) -> list[str]:
    assert bot.store is not None
    return [n.text for n in await EngagementRepository(bot.store).notes(TEAM.id, TASK)]


async def test_the_details_card_has_one_save_and_take_it(bot, connector) -> None:
    await installed(bot, connector)
    card = (await click(bot, "task.show", {"task": TASK}))["value"]
    verbs = [action.get("verb") for action in card_actions(card)]
    assert verbs.count("task.save") == 1 and "task.take" in verbs
    assert not {"task.assign", "task.due", "task.note"} & set(verbs)


async def test_one_save_applies_every_changed_field_and_says_so(bot, connector) -> None:
    await installed(bot, connector)
    form = {"task": TASK, "view": "task", "owner": "aad-user2", "due": "2026-12-10"}
    body = await click(bot, "task.save", {**form, "note": "Kickoff booked"})
    assert "Saved: owner, due date, a note." in dump(body["value"])
    record = (await stored(bot)).record(TASK)
    assert (record.owner.id, record.due.isoformat(), record.notes) == ("aad-user2", "2026-12-10", 1)
    assert await notes(bot) == ["Kickoff booked"]
    # The same form saved again changes nothing and says so; the shared card is left alone.
    connector.calls.clear()
    body = await click(bot, "task.save", {**form, "note": ""})
    assert "Nothing to save" in dump(body["value"])
    assert not connector.sent("PUT")
    # Emptied fields clear the owner and the date.
    body = await click(bot, "task.save", {**form, "owner": "", "due": ""})
    assert "Saved: owner, due date." in dump(body["value"])
    record = (await stored(bot)).record(TASK)
    assert (record.owner, record.due) == (None, None)


async def test_an_old_details_card_button_saves_the_whole_form(bot, connector) -> None:
    """Cards already in the channel carry Add note: it sent every input, and now all are saved."""
    await installed(bot, connector)
    form = {"task": TASK, "view": "task", "owner": "aad-user2", "due": "2026-12-10"}
    await click(bot, "task.note", {**form, "note": "from an old card"})
    record = (await stored(bot)).record(TASK)
    assert (record.owner.id, record.due.isoformat(), record.notes) == ("aad-user2", "2026-12-10", 1)


async def test_take_it_on_the_details_card_keeps_the_rest_of_the_form(bot, connector) -> None:
    await installed(bot, connector)
    form = {"task": TASK, "view": "task", "owner": "", "due": "2026-12-10", "note": "mine now"}
    body = await click(bot, "task.take", form, sender=COLLEAGUE)
    assert "Saved: owner, due date, a note." in dump(body["value"])
    record = (await stored(bot)).record(TASK)
    assert (record.owner.id, record.due.isoformat(), record.notes) == ("aad-user2", "2026-12-10", 1)


async def test_a_refused_save_stores_no_note(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot)
    await click(bot, "task.take", {"task": TASK})  # the project manager owns it
    before = await stored(bot)
    form = {"task": TASK, "view": "task", "owner": "aad-user2", "note": "taking it over"}
    body = await click(bot, "task.save", form, sender=COLLEAGUE)
    assert "Only the project manager" in dump(body["value"])
    assert await stored(bot) == before
    assert await notes(bot) == []


async def test_a_korean_save_answers_in_korean(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot)
    form = {"task": TASK, "view": "task", "due": "2026-12-10"}
    body = await click(bot, "task.save", form)
    assert "저장했습니다: 기한." in dump(body["value"])
