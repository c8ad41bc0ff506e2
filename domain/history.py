"""The audit trail as people read it: newest first, paged, optionally one task's, each entry
described in the engagement's words (shared by the history card and the exported workbook)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.catalog import Catalog, Language, default_catalog
from domain.engagement import AuditEntry, Change, Engagement
from domain.i18n import text

HISTORY_PAGE_SIZE = 10
# Values an entry stores as codes, and the words for them.
_STATE_WORDS = frozenset(
    {"open", "done", "acknowledged", "not_applicable", "in", "out", "on", "off"}
)


@dataclass(frozen=True)
class HistoryPage:
    entries: list[AuditEntry]
    page: int
    pages: int


def history_page(trail: list[AuditEntry], page: int, task_id: str | None = None) -> HistoryPage:
    """One page of the trail, newest first; a page past the end shows the last one."""
    chosen = [e for e in reversed(trail) if task_id is None or e.subject == task_id]
    pages = max(1, -(-len(chosen) // HISTORY_PAGE_SIZE))
    page = min(page, pages - 1)
    start = page * HISTORY_PAGE_SIZE
    return HistoryPage(chosen[start : start + HISTORY_PAGE_SIZE], page, pages)


def subject_name(
    entry: AuditEntry, engagement: Engagement, catalog: Catalog, lang: Language
) -> str:
    task = engagement.find_task(catalog, entry.subject)
    if task is not None:
        return task.title.in_(lang)
    track = catalog.find_track(entry.subject)
    return track.name.in_(lang) if track else text(lang, "history.engagement")


def local_moment(moment: datetime, time_zone: str) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")


def value_words(
    entry: AuditEntry, value: str | None, lang: Language, names: dict[str, str], time_zone: str
) -> str:
    """A stored before/after value in words: a state, a person's name, a date or a moment."""
    if value is None:
        return text(lang, "change.none")
    if entry.change in (Change.OWNER, Change.ROLE):
        return names.get(value, value)
    if entry.change in (Change.FASTTRACK, Change.DEPUTY):
        return text(lang, "list.separator").join(names.get(v, v) for v in value.split(","))
    if entry.change is Change.SIGNOFF:
        sides = (text(lang, f"signoff.side.{side}") for side in value.split(","))
        return text(lang, "list.separator").join(sides)
    if entry.change is Change.CHANNEL:
        return value or text(lang, "setup.channel_general")
    if entry.change is Change.TASK:
        return text(lang, f"own.state.{value}")
    if entry.change is Change.MEETING:
        track = default_catalog().find_track(entry.subject)
        kind = track.meeting(value) if track else None
        return kind.title.in_(lang) if kind else value
    if value in _STATE_WORDS and entry.change is not Change.NOTE:
        return text(lang, f"state.{value}")
    if entry.change is Change.SNOOZE:
        return local_moment(datetime.fromisoformat(value), time_zone)
    if entry.change is Change.DUE:
        return date.fromisoformat(value).isoformat()
    return value


def change_words(entry: AuditEntry, lang: Language, names: dict[str, str], time_zone: str) -> str:
    """What the entry changed, e.g. "status open → done" (plain text, not markup)."""
    return text(
        lang,
        f"change.{entry.change.value}",
        before=value_words(entry, entry.before, lang, names, time_zone),
        after=value_words(entry, entry.after, lang, names, time_zone),
    )
