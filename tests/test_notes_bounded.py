"""Issue 16 item 7: a task keeps a bounded number of notes, and a note holds what its card shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from domain.engagement import MAX_NOTE_CHARS, MAX_NOTES_PER_TASK, Actor, EngagementKey
from domain.notes import Note, note_id
from storage.repository import EngagementRepository
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import click, installed

TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
TASK = "initiate.start-onboarding"
FORM = {"task": TASK, "view": "task"}


async def stored_notes(bot: BotHarness) -> list[Note]:
    assert bot.store is not None
    return await EngagementRepository(bot.store).notes(TEAM.id, TASK)


async def test_past_the_bound_a_note_is_refused_and_nothing_is_stored(bot, connector) -> None:
    await installed(bot, connector)
    for i in range(MAX_NOTES_PER_TASK):
        await click(bot, "task.save", {**FORM, "note": f"note {i}"})
    body = await click(bot, "task.save", {**FORM, "note": "one too many"})
    assert f"already has {MAX_NOTES_PER_TASK} notes" in json.dumps(body["value"])
    assert len(await stored_notes(bot)) == MAX_NOTES_PER_TASK
    assert bot.store is not None
    engagement = await EngagementRepository(bot.store).get(TEAM.id)
    assert engagement is not None and engagement.record(TASK).notes == MAX_NOTES_PER_TASK
    # The refusal speaks Korean too.
    body = await click(bot, "task.save", {**FORM, "note": "하나 더"}, locale="ko-KR")
    refusal = f"메모가 이미 {MAX_NOTES_PER_TASK}개 있어"
    assert refusal in json.dumps(body["value"], ensure_ascii=False)


async def test_the_longest_note_is_shown_whole(bot, connector) -> None:
    await installed(bot, connector)
    longest = ("가나다 " * MAX_NOTE_CHARS)[: MAX_NOTE_CHARS - 1] + "끝"
    body = await click(bot, "task.save", {**FORM, "note": longest})
    assert longest in json.dumps(body["value"], ensure_ascii=False)
    too_long = {**FORM, "note": "x" * (MAX_NOTE_CHARS + 1)}
    body = await click(bot, "task.save", too_long)
    assert f"at most {MAX_NOTE_CHARS} characters" in json.dumps(body["value"])


async def test_a_longer_note_stored_before_the_bound_still_loads(bot, connector) -> None:
    """Notes of up to 2,000 characters were accepted before: they load, and the card shows
    their start; the export holds every note in full."""
    await installed(bot, connector)
    assert bot.store is not None
    old = Note(TASK, Actor("29:user1", "User One"), datetime(2026, 11, 1, tzinfo=UTC), "앞" * 2000)
    await bot.store.create(TEAM.id, note_id(TASK, "old-op"), old.to_dict())
    assert [n.text for n in await stored_notes(bot)] == [old.text]
    body = await click(bot, "task.show", {"task": TASK})
    assert "앞" * (MAX_NOTE_CHARS - 1) + "…" in json.dumps(body["value"], ensure_ascii=False)
