"""The meeting log: a phase's meetings as the team records them (which meeting, when,
who attended, notes, decisions, action items), planned ahead or held.

A meeting is its own document in the engagement's partition, so minutes never grow the
engagement document every click rewrites; the engagement keeps only a summary of the
meetings that matter to the overview (every planned one and the last one held). A meeting
is planned while its start is ahead and held once it has passed: minutes (notes, decisions,
action items) belong to a held meeting. Each action item becomes one of the engagement's own
tasks, with an owner and a due date, in the meeting's phase.

No calendar is read or written: FastTrack schedules its meetings; a planned meeting may
carry the Teams link people join it with.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from domain.catalog import OTHER_MEETING, Language, Track
from domain.errors import (
    ActionItemIncomplete,
    ActionItemUnreadable,
    BadDate,
    BadMeetingLink,
    BadTime,
    MeetingTitleRequired,
    MinutesBeforeMeeting,
    TextTooLong,
    TooManyActionItems,
    UnknownMeeting,
    UnknownPerson,
)
from domain.own_tasks import ChecklistItem, parse_checklist
from domain.profile import Person
from domain.text import is_blank
from domain.zones import UTC_NAME

MEETING_PREFIX = "meeting-"
MEETING_ID = re.compile(r"^mtg-[0-9a-f]{16}$")
FORM_TOKEN = re.compile(r"^[0-9a-f]{16}$")
MAX_MEETING_TITLE_CHARS = 100
# Notes and decisions each: both, in Korean, with 30 attendees fit a card's 28 KB.
MAX_MINUTES_CHARS = 1_000
# Action items: one a line, `title | owner | due date | description`, as `add task` reads.
MAX_ACTION_ITEMS = 20
MAX_ACTION_ITEMS_CHARS = 4_000
# What a meeting keeps of its action items over all its saves.
MAX_KEPT_ACTION_ITEMS_CHARS = 3 * MAX_ACTION_ITEMS_CHARS
MAX_ATTENDEES = 30
# A Teams join link with its context parameter runs to about 300 characters.
MAX_LINK_CHARS = 600
# Planned meetings the engagement's summary holds at most (FastTrack plans a handful).
MAX_PLANNED = 20
# Teams meeting links: the work or school join link (/l/meetup-join/…) and the short one
# (/meet/<id>?p=<passcode>), on Teams' own hosts (commercial, the new cloud.microsoft
# domain, US government clouds, Teams for personal use). The host must be one of these
# exactly: a link that merely contains one (teams.microsoft.com.example.net) is refused.
TEAMS_HOSTS = frozenset(
    {
        "teams.microsoft.com",
        "teams.cloud.microsoft",
        "teams.live.com",
        "teams.microsoft.us",
        "gov.teams.microsoft.us",
        "dod.teams.microsoft.us",
    }
)
_JOIN_PATH = re.compile(r"^/(?:l/meetup-join/[^/]+(?:/.*)?|meet/[0-9A-Za-z]+/?)$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(?::[0-5][0-9])?$")


def form_token(op_id: str) -> str:
    """Names a form by the activity that showed it. A new meeting is named by its form, so
    the form's Save clicked twice, or redelivered, records one meeting."""
    return hashlib.sha256(op_id.encode()).hexdigest()[:16]


def new_meeting_id(form: str) -> str:
    return f"mtg-{form}"


def is_meeting_id(value: str) -> bool:
    return bool(MEETING_ID.match(value))


def is_form_token(value: str) -> bool:
    return bool(FORM_TOKEN.match(value))


def teams_meeting_link(url: str) -> str:
    """The link as given, when it is a Teams meeting link; BadMeetingLink otherwise."""
    url = url.strip()
    if len(url) > MAX_LINK_CHARS or any(c.isspace() for c in url):
        raise BadMeetingLink()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BadMeetingLink() from None
    if parts.scheme != "https" or port is not None or parts.username or parts.password:
        raise BadMeetingLink()
    # netloc, not hostname: no user info, port or trailing dot may hide behind the host.
    if parts.netloc.lower() not in TEAMS_HOSTS or not _JOIN_PATH.match(parts.path):
        raise BadMeetingLink()
    return url


@dataclass(frozen=True)
class MeetingSummary:
    """What the overview and the weekly report need of a meeting."""

    id: str
    track_id: str
    kind: str  # a catalog meeting id of the phase, or OTHER_MEETING
    title: str  # the team's own name for an "other" meeting
    start: datetime
    link: str = ""

    def held(self, now: datetime) -> bool:
        return self.start <= now

    def to_dict(self) -> dict[str, Any]:
        data = {"track": self.track_id, "kind": self.kind, "start": self.start.isoformat()}
        if self.title:
            data["title"] = self.title
        if self.link:
            data["link"] = self.link
        return data

    @classmethod
    def from_dict(cls, meeting_id: str, data: dict[str, Any]) -> MeetingSummary:
        return cls(
            meeting_id,
            str(data["track"]),
            str(data["kind"]),
            str(data.get("title", "")),
            datetime.fromisoformat(data["start"]),
            str(data.get("link", "")),
        )


def meeting_title(summary: MeetingSummary, track: Track, lang: Language) -> tuple[str, bool]:
    """The meeting's name (`track` is its phase) and whether it is the team's own text (to be
    shown escaped)."""
    kind = track.meeting(summary.kind)
    return (kind.title.in_(lang), False) if kind else (summary.title, True)


@dataclass(frozen=True)
class Meeting:
    """A recorded meeting as stored. `revision` counts its saves: a form carries the one it
    was opened at, so a save over someone else's newer one is refused, not merged."""

    summary: MeetingSummary
    attendees: tuple[Person, ...]
    notes: str
    decisions: str
    action_items: str  # the lines as written; the tasks they became carry `batch`
    revision: int
    recorded_by: Person
    recorded_at: datetime
    # The form this save came from: the same form sent again (a double click, a
    # redelivery) is recognised by it and saves nothing twice.
    form: str

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def batch(self) -> str:
        """Ties the tasks this save's action items became to it: created once per save."""
        return f"{self.id}.{self.revision}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "meeting",
            "summary": self.summary.to_dict(),
            "attendees": [p.to_dict() for p in self.attendees],
            "notes": self.notes,
            "decisions": self.decisions,
            "actionItems": self.action_items,
            "revision": self.revision,
            "by": self.recorded_by.to_dict(),
            "at": self.recorded_at.isoformat(),
            "form": self.form,
        }

    @classmethod
    def from_dict(cls, meeting_id: str, data: dict[str, Any]) -> Meeting:
        return cls(
            MeetingSummary.from_dict(meeting_id, data["summary"]),
            tuple(Person.from_dict(p) for p in data.get("attendees", [])),
            str(data.get("notes", "")),
            str(data.get("decisions", "")),
            str(data.get("actionItems", "")),
            int(data["revision"]),
            Person.from_dict(data["by"]),
            datetime.fromisoformat(data["at"]),
            str(data.get("form", "")),
        )


@dataclass(frozen=True)
class MeetingForm:
    """The meeting form's fields as sent (text inputs hold what was typed)."""

    kind: str
    title: str
    day: str
    at: str
    attendees: str
    notes: str
    decisions: str
    action_items: str
    link: str


@dataclass(frozen=True)
class Recorded:
    meeting: Meeting
    action_items: tuple[ChecklistItem, ...]


def read_form(
    form: MeetingForm,
    *,
    meeting_id: str,
    track: Track,
    members: list[Person],
    time_zone: str | None,
    now: datetime,
    revision: int,
    by: Person,
    form_id: str,
    earlier: str = "",
) -> Recorded:
    """The meeting the form describes, checked; a DomainError names the first problem.
    `earlier`: the action items of the meeting as saved before (they are tasks already); the
    form's are new ones, added to them."""
    kind = form.kind.strip()
    title = _text(form.title, MAX_MEETING_TITLE_CHARS)
    if kind != OTHER_MEETING and track.meeting(kind) is None:
        raise UnknownMeeting()
    if kind == OTHER_MEETING and not title:
        raise MeetingTitleRequired()
    start = _start(form.day, form.at, time_zone)
    notes = _text(form.notes, MAX_MINUTES_CHARS)
    decisions = _text(form.decisions, MAX_MINUTES_CHARS)
    lines = _text(form.action_items, MAX_ACTION_ITEMS_CHARS)
    items = action_items(lines, members)
    if (notes or decisions or items) and start > now:
        raise MinutesBeforeMeeting()
    link = teams_meeting_link(form.link) if form.link.strip() else ""
    kept_items = "\n".join(part for part in (earlier, lines) if part)
    if len(kept_items) > MAX_KEPT_ACTION_ITEMS_CHARS:
        raise TextTooLong(limit=MAX_KEPT_ACTION_ITEMS_CHARS)
    summary = MeetingSummary(
        meeting_id, track.id, kind, title if kind == OTHER_MEETING else "", start, link
    )
    meeting = Meeting(
        summary,
        _attendees(form.attendees, members),
        notes,
        decisions,
        kept_items,
        revision,
        by,
        now,
        form_id,
    )
    return Recorded(meeting, items)


def _text(value: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise TextTooLong(limit=limit)
    return "" if is_blank(text) else text


def _start(day: str, at: str, time_zone: str | None) -> datetime:
    try:
        local_day = date.fromisoformat(day.strip())
    except ValueError:
        raise BadDate() from None
    match = _TIME.match(at.strip())
    if not match:
        raise BadTime()
    local = datetime.combine(local_day, time(int(match[1]), int(match[2])))
    return local.replace(tzinfo=ZoneInfo(time_zone or UTC_NAME))


def action_items(lines: str, members: list[Person]) -> tuple[ChecklistItem, ...]:
    """Each line one task with an owner and a due date (`add task`'s line format)."""
    checked = parse_checklist(lines, members)
    if checked.errors:
        raise ActionItemUnreadable(line=checked.errors[0].line)
    if len(checked.items) > MAX_ACTION_ITEMS:
        raise TooManyActionItems(limit=MAX_ACTION_ITEMS)
    for item in checked.items:
        if item.owner is None or item.due is None:
            raise ActionItemIncomplete(line=item.line)
    return checked.items


def _attendees(value: str, members: list[Person]) -> tuple[Person, ...]:
    """The people picked (a multi-select sends their ids joined by commas), each one a
    member of this conversation."""
    ids = [i.strip() for i in value.split(",") if i.strip()]
    if len(ids) > MAX_ATTENDEES:
        raise UnknownPerson()
    by_id = {m.id: m for m in members}
    if any(i not in by_id for i in ids):
        raise UnknownPerson()
    return tuple(by_id[i] for i in dict.fromkeys(ids))


def last_and_next(
    summaries: dict[str, MeetingSummary], now: datetime
) -> tuple[MeetingSummary | None, MeetingSummary | None]:
    """The latest meeting held and the earliest one planned."""
    held = [m for m in summaries.values() if m.held(now)]
    planned = [m for m in summaries.values() if not m.held(now)]
    last = max(held, key=lambda m: m.start, default=None)
    return last, min(planned, key=lambda m: m.start, default=None)


def kept(summaries: dict[str, MeetingSummary], now: datetime) -> dict[str, MeetingSummary]:
    """The summaries worth keeping in the engagement: every planned meeting and the last one
    held (the documents keep the rest)."""
    last, _ = last_and_next(summaries, now)
    return {k: m for k, m in summaries.items() if not m.held(now) or m is last}
