"""The export's tables: the checklist, the history, the notes, the engagement's own tasks and
the meetings' minutes, with column headers in the engagement's language and every moment in
its time zone. Plain rows; reports/workbook.py writes them as .xlsx and .csv.

The own tasks are written as the lines `add task` reads (`title | owner | due date |
description`), by phase, so a list moves to another engagement by pasting its lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.catalog import Catalog, Language
from domain.engagement import AuditEntry, Engagement
from domain.history import change_words, local_moment, subject_name, value_words
from domain.i18n import text
from domain.meetings import Meeting, meeting_title
from domain.notes import Note
from domain.own_tasks import checklist_line


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]


def _headers(lang: Language, *keys: str) -> list[str]:
    return [text(lang, f"column.{key}") for key in keys]


def checklist_table(engagement: Engagement, catalog: Catalog, lang: Language) -> Table:
    zone = engagement.time_zone
    rows = []
    for task in engagement.all_tasks(catalog):
        record = engagement.record(task.id)
        state = "state.out" if not engagement.in_scope(task) else f"state.{record.status.value}"
        rows.append(
            [
                catalog.track(task.track_id).name.in_(lang),
                task.title.in_(lang),
                text(lang, state),
                record.owner.name if record.owner else "",
                record.due.isoformat() if record.due else "",
                record.changed_by.name if record.changed_by else "",
                local_moment(record.changed_at, zone) if record.changed_at else "",
                record.reason or "",
                record.last_note or "",
            ]
        )
    headers = _headers(
        lang,
        "phase",
        "task",
        "status",
        "owner",
        "due",
        "settled_by",
        "settled_at",
        "reason",
        "last_note",
    )
    return Table(text(lang, "sheet.checklist"), headers, rows)


def own_tasks_table(engagement: Engagement, catalog: Catalog, lang: Language) -> Table:
    """The engagement's own tasks (not removed ones), phase by phase in checklist order."""
    rows = []
    for track in catalog.tracks:
        for task in engagement.tasks_of(catalog, track.id):
            own = engagement.own_tasks.get(task.id)
            if own is None:
                continue
            record = engagement.record(task.id)
            line = checklist_line(own.title, record.owner, record.due, own.description)
            rows.append([track.name.in_(lang), line])
    return Table(text(lang, "sheet.own_tasks"), _headers(lang, "phase", "line"), rows)


def history_table(
    engagement: Engagement,
    catalog: Catalog,
    trail: list[AuditEntry],
    lang: Language,
    names: dict[str, str],
) -> Table:
    """Oldest first, as a log is read in a spreadsheet."""
    zone = engagement.time_zone
    rows = [
        [
            local_moment(entry.at, zone),
            entry.actor.name,
            subject_name(entry, engagement, catalog, lang),
            change_words(entry, lang, names, zone),
            value_words(entry, entry.before, lang, names, zone),
            value_words(entry, entry.after, lang, names, zone),
            entry.reason or "",
        ]
        for entry in trail
    ]
    headers = _headers(lang, "when", "who", "subject", "change", "before", "after", "reason")
    return Table(text(lang, "sheet.history"), headers, rows)


def notes_table(
    engagement: Engagement, catalog: Catalog, notes: list[Note], lang: Language
) -> Table:
    zone = engagement.time_zone
    rows = [
        [
            task.title.in_(lang)
            if (task := engagement.find_task(catalog, note.task_id))
            else note.task_id,
            local_moment(note.at, zone),
            note.author.name,
            note.text,
        ]
        for note in sorted(notes, key=lambda n: n.at)
    ]
    return Table(text(lang, "sheet.notes"), _headers(lang, "task", "when", "author", "note"), rows)


def minutes_table(
    engagement: Engagement,
    catalog: Catalog,
    meetings: list[Meeting],
    lang: Language,
    now: datetime,
) -> Table:
    """Every recorded meeting, earliest first; the action items as the lines they were
    written in (each became a task: the checklist has them as they stand now)."""
    zone = engagement.time_zone
    rows = []
    for meeting in meetings:
        summary = meeting.summary
        track = catalog.track(summary.track_id)
        state = "held" if summary.held(now) else "planned"
        rows.append(
            [
                track.name.in_(lang),
                meeting_title(summary, track, lang)[0],
                local_moment(summary.start, zone),
                text(lang, f"meeting.state.{state}"),
                ", ".join(p.name or p.id for p in meeting.attendees),
                meeting.notes,
                meeting.decisions,
                meeting.action_items,
                summary.link,
                meeting.recorded_by.name,
            ]
        )
    headers = _headers(
        lang,
        "phase",
        "meeting",
        "when",
        "meeting_state",
        "attendees",
        "note",
        "decisions",
        "action_items",
        "link",
        "recorded_by",
    )
    return Table(text(lang, "sheet.minutes"), headers, rows)


def known_names(engagement: Engagement, trail: list[AuditEntry]) -> dict[str, str]:
    """Names for the person ids an owner change stores: from the people who acted and the
    owners the engagement knows."""
    names: dict[str, str] = {}
    for entry in trail:
        names[entry.actor.id] = entry.actor.name
        if entry.actor.aad_id:
            names[entry.actor.aad_id] = entry.actor.name
    for record in engagement.tasks.values():
        if record.owner and record.owner.name:
            names[record.owner.id] = record.owner.name
    if engagement.profile:
        profile = engagement.profile
        for person in (profile.project_manager, *profile.fasttrack_engineers, *profile.deputies):
            names[person.id] = person.name
    return names
