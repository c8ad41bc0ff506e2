"""The engagement's own tasks: items the team adds to a phase (above all the remediation
checklist FastTrack hands over in Assess), tracked exactly like the catalog's tasks.

An own task is stored with the engagement (storage/layout.py keeps them in a document of
their own) with an id the bot makes (`own-<n>`), never one taken from card data. Seen
through `Engagement.task`/`tasks_of` it is a catalog `Task` whose text is the team's own
(`Task.own`), so cards escape it like any user text.

A checklist arrives as lines: `title | owner | due date | description`, everything after
the title optional. `parse_checklist` reads them and says, line by line, what it could not
read; `checklist_line` writes a task back in the same form (the export uses it), so a list
moves between engagements.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from domain.catalog import LocalizedText, Task
from domain.profile import Person
from domain.text import is_blank

MAX_OWN_TASKS = 300
MAX_TITLE_CHARS = 150
MAX_DESCRIPTION_CHARS = 300
# A pasted checklist: 300 lines of a title, an owner, a date and a description at most.
MAX_CHECKLIST_CHARS = MAX_OWN_TASKS * 200
# A removed task can be brought back for this long; after that it is dropped for good.
RESTORE_WINDOW = timedelta(days=7)
OWN_ID = re.compile(r"^own-[1-9][0-9]{0,5}$")
# Own tasks come after the catalog's in their track, in the order they were added.
ORDER_BASE = 10_000
SEPARATOR = "|"
# "31 Dec 2026" (the English cards) and "2026년 12월 31일" (the Korean ones), beside ISO.
_ENGLISH_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$")
_KOREAN_DATE = re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def is_own_id(task_id: str) -> bool:
    return bool(OWN_ID.match(task_id))


@dataclass(frozen=True)
class OwnTask:
    """A task the team added: which track, its text, who added it when, and, once removed,
    when (it can be restored for RESTORE_WINDOW). `batch` names the confirmed checklist it
    came from, so the same confirmation clicked twice creates it once."""

    id: str
    track_id: str
    seq: int
    title: str
    description: str
    created_by: Person
    created_at: datetime
    batch: str
    removed_at: datetime | None = None

    @cached_property
    def as_task(self) -> Task:
        # Frozen and shared by every copy of the engagement: built once.
        return Task(
            id=self.id,
            track_id=self.track_id,
            order=ORDER_BASE + self.seq,
            optional=False,
            title=LocalizedText(self.title, self.title),
            description=LocalizedText(self.description, self.description),
            own=True,
        )

    @property
    def fingerprint(self) -> str:
        """Names the text as it is now: the edit form carries it, so an edit made on a form
        opened before another one is refused instead of overwriting it."""
        text = f"{self.title}\n{self.description}".encode()
        return hashlib.sha256(text).hexdigest()[:16]

    def restorable(self, now: datetime) -> bool:
        return self.removed_at is not None and now - self.removed_at <= RESTORE_WINDOW

    def to_dict(self) -> dict[str, Any]:
        return self._stored

    @cached_property
    def _stored(self) -> dict[str, Any]:
        # As TaskRecord's: built once per task, shared by every copy. Never mutate it.
        data: dict[str, Any] = {
            "track": self.track_id,
            "seq": self.seq,
            "title": self.title,
            "by": self.created_by.to_dict(),
            "at": self.created_at.isoformat(),
            "batch": self.batch,
        }
        if self.description:
            data["description"] = self.description
        if self.removed_at:
            data["removedAt"] = self.removed_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, task_id: str, data: dict[str, Any]) -> OwnTask:
        removed = data.get("removedAt")
        return cls(
            id=task_id,
            track_id=str(data["track"]),
            seq=int(data["seq"]),
            title=str(data["title"]),
            description=str(data.get("description", "")),
            created_by=Person.from_dict(data["by"]),
            created_at=datetime.fromisoformat(data["at"]),
            batch=str(data.get("batch", "")),
            removed_at=datetime.fromisoformat(removed) if removed else None,
        )


@dataclass(frozen=True)
class ChecklistItem:
    """One readable line: what to create."""

    line: int
    title: str
    owner: Person | None = None
    due: date | None = None
    description: str = ""


@dataclass(frozen=True)
class LineError:
    """A line that could not be read, and why (an i18n key under `checklist.error.`)."""

    line: int
    code: str
    text: str


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]
    errors: tuple[LineError, ...]


def parse_day(value: str) -> date | None:
    """A date as ISO (2026-12-31) or as the cards show it (31 Dec 2026, 2026년 12월 31일)."""
    value = value.strip()
    try:
        if match := _ISO_DATE.match(value):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _KOREAN_DATE.match(value):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if (match := _ENGLISH_DATE.match(value)) and match[2].lower() in _MONTHS:
            return date(int(match[3]), _MONTHS.index(match[2].lower()) + 1, int(match[1]))
    except ValueError:  # 2026-02-30
        return None
    return None


def find_member(name: str, members: list[Person]) -> Person | None:
    """The member the text names: by id (an Entra object id, a 29: id, or an email-like
    id), else by display name, ignoring case; None when nobody or more than one matches."""
    key = name.strip().casefold()
    by_id = [m for m in members if m.id.casefold() == key]
    if by_id:
        return by_id[0]
    by_name = [m for m in members if m.name.strip().casefold() == key]
    return by_name[0] if len(by_name) == 1 else None


def parse_checklist(text: str, members: list[Person]) -> Checklist:
    """Each non-blank line one task: `title | owner | due date | description`."""
    items: list[ChecklistItem] = []
    errors: list[LineError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if is_blank(raw.strip()):
            continue
        item = _parse_line(number, raw, members)
        if isinstance(item, LineError):
            errors.append(item)
        else:
            items.append(item)
    return Checklist(tuple(items), tuple(errors))


def _parse_line(number: int, raw: str, members: list[Person]) -> ChecklistItem | LineError:
    # A description may hold the separator: everything after the third one is it.
    fields = [f.strip() for f in raw.split(SEPARATOR, 3)]
    shown = raw.strip()[:60]
    title, owner_text, due_text, description = [*fields, "", "", ""][:4]
    if is_blank(title):
        return LineError(number, "no_title", shown)
    if len(title) > MAX_TITLE_CHARS:
        return LineError(number, "title_too_long", shown)
    if len(description) > MAX_DESCRIPTION_CHARS:
        return LineError(number, "description_too_long", shown)
    owner = None
    if owner_text:
        owner = find_member(owner_text, members)
        if owner is None:
            return LineError(number, "unknown_person", shown)
    due = None
    if due_text:
        due = parse_day(due_text)
        if due is None:
            return LineError(number, "bad_date", shown)
    return ChecklistItem(number, title, owner, due, description)


def checklist_line(title: str, owner: Person | None, due: date | None, description: str) -> str:
    """A task as one checklist line, the form `parse_checklist` reads (trailing empty
    fields left out). The separator inside a text cannot be told apart, so it is replaced."""
    fields = [
        title.replace(SEPARATOR, "/"),
        owner.name.replace(SEPARATOR, "/") if owner else "",
        due.isoformat() if due else "",
        description.replace("\n", " "),
    ]
    while len(fields) > 1 and not fields[-1]:
        fields.pop()
    return f" {SEPARATOR} ".join(fields)


def batch_key(op_id: str) -> str:
    """What ties created tasks to the confirmation that created them (kept short)."""
    return op_id[-40:]
