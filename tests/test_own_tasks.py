"""Issue 19: the engagement's own tasks, pasted as a checklist, tracked like the catalog's."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.catalog import default_catalog
from domain.engagement import MAX_NOTE_CHARS, Actor, Engagement, EngagementKey, TaskStatus
from domain.own_tasks import (
    MAX_CHECKLIST_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_OWN_TASKS,
    MAX_TITLE_CHARS,
    ChecklistItem,
    checklist_line,
    parse_checklist,
)
from domain.profile import Person
from storage.layout import stored_form
from storage.repository import AUDIT_TAIL_LIMIT, EngagementRepository
from testkit import activities as a
from testkit import card_actions
from tests.harness import BotHarness
from tests.steps import click, installed
from tests.test_nudges import MONDAY, nudge_bot, nudges, run  # noqa: F401  (fixture)
from tests.test_reports import fetch, report_bot  # noqa: F401  (fixture)

CATALOG = default_catalog()
TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
KIM = Person("aad-user2", "Kim Minji")
MEMBERS = [Person("aad-user1", "User One"), KIM]
COLLEAGUE = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
CARD_LIMIT = 28 * 1024


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def stored(bot: BotHarness) -> Engagement:
    assert bot.store is not None
    engagement = await EngagementRepository(bot.store).get(TEAM.id)
    assert engagement is not None
    return engagement


def verbs(card: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(x["verb"], x.get("data", {})) for x in card_actions(card) if "verb" in x]


async def paste(bot: BotHarness, lines: str, phase: str = "remediate") -> dict[str, Any]:
    """Checks a pasted checklist; confirms it when the check asks to."""
    card = (await click(bot, "own.check", {"phase": phase, "lines": lines}))["value"]
    create = [d for v, d in verbs(card) if v == "own.create"]
    if create:
        card = await click(bot, "own.create", {**create[0], "phase": phase, "lines": lines})
        card = card["value"]
    return card


# The domain --------------------------------------------------------------------------


def test_lines_are_read_with_owner_date_and_description_and_errors_per_line() -> None:
    text = "\n".join(
        [
            "Enable MFA for admins",
            "  ",
            "Clean up stale devices | Kim Minji | 2027-01-31 | Intune devices | older than 90d",
            "Review CA policies | aad-user1 | 31 Jan 2027",
            "조건부 액세스 검토 | kim minji | 2027년 1월 31일",
            "Nobody's | Park Jisoo",
            "Bad day | Kim Minji | 2027-02-30",
            " | Kim Minji",
            "x" * (MAX_TITLE_CHARS + 1),
            "Long | | | " + "d" * (MAX_DESCRIPTION_CHARS + 1),
        ]
    )
    checked = parse_checklist(text, MEMBERS)
    assert [i.line for i in checked.items] == [1, 3, 4, 5]
    assert checked.items[1] == ChecklistItem(
        3, "Clean up stale devices", KIM, date(2027, 1, 31), "Intune devices | older than 90d"
    )
    assert checked.items[2].owner == MEMBERS[0] and checked.items[2].due == date(2027, 1, 31)
    assert checked.items[3].owner == KIM and checked.items[3].due == date(2027, 1, 31)
    assert [(e.line, e.code) for e in checked.errors] == [
        (6, "unknown_person"),
        (7, "bad_date"),
        (8, "no_title"),
        (9, "title_too_long"),
        (10, "description_too_long"),
    ]


def test_a_line_written_back_reads_the_same() -> None:
    item = ChecklistItem(1, "Clean up | devices", KIM, date(2027, 1, 31), "old ones")
    line = checklist_line(item.title, item.owner, item.due, item.description)
    (read,) = parse_checklist(line, MEMBERS).items
    assert (read.title, read.owner, read.due, read.description) == (
        "Clean up / devices",
        KIM,
        date(2027, 1, 31),
        "old ones",
    )


def _engagement() -> Engagement:
    at = datetime(2026, 11, 29, tzinfo=UTC)
    return Engagement(TEAM, "channel", at, installed_by=Actor("29:user1", "User One", "aad-user1"))


def test_worst_case_document_stays_well_inside_cosmos_item_limit() -> None:
    """300 own tasks with the longest Korean title and description, an owner, a due date,
    a done status with a reason-free stamp and the longest note preview; plus every catalog
    task likewise. Stored as the repository stores it (JSON, ASCII escapes: 6 bytes per
    Hangul character, the worst case)."""
    engagement = _engagement()
    actor = Actor("29:" + "u" * 60, "가" * 40, "a" * 36)
    at = datetime(2026, 11, 29, tzinfo=UTC)
    owner = Person("a" * 36, "가" * 40)
    items = tuple(
        ChecklistItem(
            n, "가" * MAX_TITLE_CHARS, owner, date(2027, 1, 1), "나" * MAX_DESCRIPTION_CHARS
        )
        for n in range(MAX_OWN_TASKS)
    )
    engagement.add_tasks(
        CATALOG, track_id="remediate", items=items, actor=actor, at=at, op_id="op", batch="b"
    )
    for n, task in enumerate(engagement.all_tasks(CATALOG)):
        engagement.note_added(
            CATALOG, task_id=task.id, text="다" * MAX_NOTE_CHARS, actor=actor, at=at, op_id=f"n{n}"
        )
    del engagement.audit_tail[:-AUDIT_TAIL_LIMIT]  # the repository archives the rest
    body = engagement.to_dict()
    size = len(json.dumps(body).encode())
    assert size < 1_400_000, size  # Cosmos DB's item limit is 2 MB (2,097,152 bytes)
    # As stored: the own tasks in a document of their own (storage/layout.py).
    stored, own_tasks = stored_form(body, None, None)
    assert own_tasks is not None
    assert len(json.dumps(stored).encode()) < 450_000
    assert len(json.dumps(own_tasks["body"]).encode()) < 950_000


def test_a_document_from_before_own_tasks_loads() -> None:
    data = _engagement().to_dict()
    del data["ownTasks"], data["ownSeq"]
    assert Engagement.from_dict(data).own_tasks == {}


# Through the real adapter, on both backends ----------------------------------------------


async def test_120_pasted_lines_appear_paged_with_working_buttons_and_survive_a_restart(
    bot, connector
) -> None:
    await installed(bot, connector)
    lines = "\n".join(f"Remediation item {n}" for n in range(1, 121))
    await paste(bot, lines)
    seen: dict[str, list[str]] = {}
    page, pages = 0, 1
    while page < pages:
        card = (await click(bot, "phase.show", {"phase": "remediate", "page": str(page)}))["value"]
        assert len(json.dumps(card).encode()) < CARD_LIMIT and card["version"] == "1.5"
        for verb, data in verbs(card):
            if "task" in data:
                seen.setdefault(data["task"], []).append(verb)
        if any(v == "phase.show" and d.get("page") == str(page + 1) for v, d in verbs(card)):
            pages += 1
        page += 1
    own = [t for t in seen if t.startswith("own-")]
    assert own == [f"own-{n}" for n in range(1, 121)]
    assert all({"task.done", "task.show"} <= set(seen[t]) for t in own)
    await bot.restart()
    body = await click(bot, "task.done", {"task": "own-100"})
    assert "Remediation item 100" in dump(body["value"])
    engagement = await stored(bot)
    assert engagement.status_of("own-100") is TaskStatus.DONE
    remediate = engagement.progress(CATALOG, CATALOG.track("remediate"))
    assert remediate.total == len(CATALOG.tasks_of("remediate")) + 120
    overview = (await click(bot, "status.show", {}))["value"]
    assert f"{remediate.open} open" in dump(overview), "the overview counts own tasks"


async def test_owner_and_date_errors_create_nothing_until_the_valid_ones_are_confirmed(
    bot, connector
) -> None:
    await installed(bot, connector)
    lines = "Wipe old devices | Kim Minji | 2027-01-31\nCheck | Park Jisoo\nAudit | | 2027-13-01"
    card = (await click(bot, "own.check", {"phase": "remediate", "lines": lines}))["value"]
    text = dump(card)
    assert "Line 2" in text and "Line 3" in text and "nothing was created" in text
    assert (await stored(bot)).own_tasks == {}
    # Create without confirming the valid ones only: still nothing.
    (create,) = [d for v, d in verbs(card) if v == "own.create"]
    forged = {**create, "valid_only": "", "phase": "remediate", "lines": lines}
    await click(bot, "own.create", forged)
    assert (await stored(bot)).own_tasks == {}
    confirmed = {**create, "phase": "remediate", "lines": lines}
    await click(bot, "own.create", confirmed)
    await click(bot, "own.create", confirmed)  # the same confirmation again
    engagement = await stored(bot)
    assert list(engagement.own_tasks) == ["own-1"]
    record = engagement.record("own-1")
    assert record.owner == KIM and record.due == date(2027, 1, 31)


async def test_the_manager_removes_an_own_task_and_undoes_it(bot, connector) -> None:
    await installed(bot, connector)
    await paste(bot, "Disable legacy auth")
    details = (await click(bot, "task.show", {"task": "own-1"}))["value"]
    assert ("own.remove", {"task": "own-1"}) in verbs(details)
    refused = await click(bot, "own.remove", {"task": "own-1"}, sender=COLLEAGUE)
    assert "Only the project manager" in dump(refused)
    catalog_task = CATALOG.tasks_of("remediate")[0].id
    kept = await click(bot, "own.remove", {"task": catalog_task})
    assert "can't be removed" in dump(kept)
    removed = (await click(bot, "own.remove", {"task": "own-1"}))["value"]
    assert ("own.restore", {"task": "own-1"}) in verbs(removed)
    phase = (await click(bot, "phase.show", {"phase": "remediate"}))["value"]
    assert "Disable legacy auth" not in dump(phase)
    refused = await click(bot, "task.done", {"task": "own-1"})
    assert (await stored(bot)).status_of("own-1") is TaskStatus.OPEN, refused
    await click(bot, "own.restore", {"task": "own-1"})
    phase = (await click(bot, "phase.show", {"phase": "remediate"}))["value"]
    assert "Disable legacy auth" in dump(phase)
    history = dump((await click(bot, "history.show", {"task": "own-1"}))["value"])
    assert "removed" in history and "on the checklist" in history


async def test_forged_ids_and_oversized_text_change_nothing(bot, connector) -> None:
    await installed(bot, connector)
    for forged in ("own-999", "own-1; drop", "x" * 60):
        body = await click(bot, "task.done", {"task": forged})
        assert "not on this checklist" in dump(body) or "Nothing was changed" in dump(body)
    body = await click(bot, "own.check", {"phase": "remediate", "lines": "x\n" * 40_000})
    assert "Nothing was changed" in dump(body)
    assert (await stored(bot)).own_tasks == {}
    lines = "\n".join(f"t{n}" for n in range(MAX_OWN_TASKS + 1))
    await paste(bot, lines)
    assert (await stored(bot)).own_tasks == {}


async def test_my_tasks_lists_an_own_task(bot, connector) -> None:
    await installed(bot, connector)
    await paste(bot, "Retire MFA Server | Kim Minji")
    card = (await click(bot, "mytasks.show", {}, sender=COLLEAGUE))["value"]
    assert "Retire MFA Server" in dump(card)
    assert ("task.done", {"task": "own-1", "engagement": TEAM.id, "view": "mytasks"}) in [
        (v, d) for v, d in verbs(card)
    ] or any(v == "task.done" and d.get("task") == "own-1" for v, d in verbs(card))


@pytest.mark.usefixtures("nudge_bot")
async def test_a_nudge_names_an_overdue_own_task(nudge_bot, connector) -> None:  # noqa: F811
    await installed(nudge_bot, connector)
    await paste(nudge_bot, "Patch the \\*legacy\\* VPN | Kim Minji | 2026-11-27", phase="initiate")
    connector.calls.clear()
    nudge_bot.clock_state["now"] = MONDAY
    status, _ = await run(nudge_bot)
    assert status == 200
    [card] = nudges(connector)
    assert "Patch the" in dump(card) and "<at>Kim Minji</at>" in dump(card)


async def test_the_manager_edits_an_own_task_once_escaped_and_a_stale_form_changes_nothing(
    bot, connector
) -> None:
    await installed(bot, connector)
    await paste(bot, "Disable legacy auth | | | old text")
    details = (await click(bot, "task.show", {"task": "own-1"}))["value"]
    assert ("own.edit", {"task": "own-1"}) in verbs(details)
    refused = await click(bot, "own.edit", {"task": "own-1"}, sender=COLLEAGUE)
    assert "Only the project manager" in dump(refused)
    form = (await click(bot, "own.edit", {"task": "own-1"}))["value"]
    (save,) = [d for v, d in verbs(form) if v == "own.save"]
    edited = {**save, "title": "Block *legacy* auth [now](http://x)", "description": "new"}
    refused = await click(bot, "own.save", edited, sender=COLLEAGUE)
    assert "Only the project manager" in dump(refused)
    body = await click(bot, "own.save", edited)
    assert "Block \\\\*legacy\\\\* auth \\\\[now\\\\]" in dump(body["value"]), "escaped"
    await click(bot, "own.save", edited)  # the same form clicked again
    fresh = (await click(bot, "own.edit", {"task": "own-1"}))["value"]
    (data,) = [d for v, d in verbs(fresh) if v == "own.save"]
    interim = a.click(bot.service_url, "own.save", {**data, "title": "Interim"})
    assert (await bot.send(interim))[0] == 200
    back = {"seen": (await stored(bot)).own_tasks["own-1"].fingerprint}
    await click(bot, "own.save", {**data, **back, "title": edited["title"], "description": "new"})
    assert (await bot.send(interim))[0] == 200  # Teams redelivers the older click
    own = (await stored(bot)).own_tasks["own-1"]
    assert (own.title, own.description) == ("Block *legacy* auth [now](http://x)", "new")
    stale = {**save, "title": "Something else", "description": ""}
    body = await click(bot, "own.save", stale)  # opened before the edit above
    assert "after the form was opened" in dump(body)
    for too_long in ({"title": "x" * (MAX_TITLE_CHARS + 1)}, {"title": " \u200b"}):
        fresh = (await click(bot, "own.edit", {"task": "own-1"}))["value"]
        (data,) = [d for v, d in verbs(fresh) if v == "own.save"]
        body = await click(bot, "own.save", {**data, "description": "", **too_long})
        assert "Nothing was changed" in dump(body) or "write something" in dump(body)
    await click(bot, "own.save", {**save, "task": CATALOG.tasks_of("remediate")[0].id})
    engagement = await stored(bot)
    assert engagement.own_tasks["own-1"].title == "Block *legacy* auth [now](http://x)"
    edits = [e for e in engagement.audit_tail if e["change"] == "edit"]
    assert len(edits) == 3  # there, to Interim and back: the redelivery is not one
    history = dump((await click(bot, "history.show", {"task": "own-1"}))["value"])
    assert "task edited: Disable legacy auth" in history


async def _exported_lines(bot: BotHarness, **where: str) -> list[tuple[str, str]]:
    card = (await click(bot, "export.show", {}, **where))["value"]
    url = next(x["url"] for x in card_actions(card) if x.get("title") == "Workbook (.xlsx)")
    status, body, _ = await fetch(bot, url)
    assert status == 200
    sheet = load_workbook(io.BytesIO(body))["Own tasks"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Phase", "Line (paste into 'add task')")
    return [(str(phase), str(line)) for phase, line in rows[1:]]


async def test_exported_own_tasks_pasted_into_another_engagement_are_the_same_tasks(
    report_bot,  # noqa: F811
    connector,
) -> None:
    await installed(report_bot, connector)
    lines = [
        "Enable MFA for admins | Kim Minji | 2027-01-31 | admins first | then everyone",
        "Retire the VPN | | 2027-02-28",
        "조건부 액세스 검토 | User One",
        "Only a title",
    ]
    await paste(report_bot, "\n".join(lines))
    await paste(report_bot, "Assess the tenant | | | in the initiate phase", phase="initiate")
    exported = await _exported_lines(report_bot)
    assert exported == [
        ("Initiate", "Assess the tenant |  |  | in the initiate phase"),
        *[("Remediate", line.replace(" | | ", " |  | ")) for line in lines],
    ]
    chat = {"conversation": "19:other-engagement@thread.v2", "conversation_type": "groupChat"}
    for activity in a.install(report_bot.service_url, **chat):
        await report_bot.send(activity)
    for phase in ("initiate", "remediate"):
        pasted = "\n".join(line for name, line in exported if name.lower() == phase)
        card = await click(report_bot, "own.check", {"phase": phase, "lines": pasted}, **chat)
        create = [d for v, d in verbs(card["value"]) if v == "own.create"]
        data = {**(create[0] if create else {}), "phase": phase, "lines": pasted}
        if create:
            await click(report_bot, "own.create", data, **chat)
    assert await _exported_lines(report_bot, **chat) == exported


async def test_the_preview_of_the_longest_paste_stays_under_28_kb_and_creates_it_all(
    bot, connector
) -> None:
    """300 lines, as long as the form takes (part Hangul: the test client sends JSON's
    escapes, and the edge takes 256 KB a request), one unreadable: the list is kept
    server-side, not carried back on the card; Create (clicked twice) uses it once."""
    await installed(bot, connector)
    width = MAX_CHECKLIST_CHARS // MAX_OWN_TASKS - 1
    title = "가" * 40 + "x" * (MAX_TITLE_CHARS - 50)
    lines = [f"{n:03d} {title} |  |  | " + "d" * (width - 153) for n in range(MAX_OWN_TASKS)]
    lines[7] = "Bad | | 2027-13-01 | " + "d" * (width - 21)
    pasted = "\n".join(lines)
    assert MAX_CHECKLIST_CHARS - 300 < len(pasted) <= MAX_CHECKLIST_CHARS
    for language in ("en-US", "ko-KR"):
        body = await click(
            bot, "own.check", {"phase": "remediate", "lines": pasted}, locale=language
        )
        card = body["value"]
        assert len(json.dumps(card).encode()) < CARD_LIMIT, len(json.dumps(card).encode())
        assert len(dump(card).encode()) < CARD_LIMIT
    assert "300줄" in dump(card) and "Line 8" not in dump(card) and "8번째 줄" in dump(card)
    (create,) = [d for v, d in verbs(card) if v == "own.create"]
    assert create["count"] == "299"
    for _ in range(2):
        await click(bot, "own.create", {**create, "phase": "remediate", "lines": ""})
    own = (await stored(bot)).own_tasks
    assert len(own) == 299 and own["own-299"].title == f"299 {title}"
