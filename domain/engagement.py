"""The engagement: one customer conversation working through the FastTrack checklist.

Plain data plus the rules that change it. Serialises to and from a JSON-ready dict so any
store can keep it; knows nothing of Teams or of the store.

Every change goes through a method that checks the rules first, changes nothing when it
refuses (a DomainError), records an audit entry when something changed, and remembers the
operation id so a redelivered click is recognised and changes nothing the second time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from copy import copy as shallow_copy
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, Protocol, TypeVar

import orjson

from domain.applied import AppliedOps
from domain.catalog import GENERAL_TRACK_ID, Catalog, Language, Task, Track, default_catalog
from domain.errors import (
    CatalogTaskKept,
    EditConflict,
    NoSignOffNeeded,
    NotPermitted,
    OutOfScope,
    OwnerKept,
    OwnerRequired,
    PhaseNotReady,
    ReasonRequired,
    RestoreExpired,
    TextRequired,
    TextTooLong,
    TooManyMeetings,
    TooManyNotes,
    TooManyTasks,
    UnknownTask,
    UnknownTrack,
    WrongKindOfTask,
)
from domain.meetings import MAX_PLANNED, MeetingSummary, kept
from domain.nudges import Digest, build_digest, is_stalled, latest_due_slot, next_slot
from domain.own_tasks import (
    MAX_DESCRIPTION_CHARS,
    MAX_OWN_TASKS,
    MAX_TITLE_CHARS,
    ChecklistItem,
    OwnTask,
    batch_key,
)
from domain.profile import Channel, NudgeSchedule, Person, Profile, local_today
from domain.roles import SIGN_ACTION, ManagerAction, Role, Side, permits, signers_of
from domain.text import is_blank

MAX_REASON_CHARS = 500
# A note is shown whole on the Details card: five of the longest, in Korean, fit its 28 KB.
MAX_NOTE_CHARS = 500
NOTE_PREVIEW_CHARS = 140
# Past this a task's notes are refused, not pruned: nothing anyone was told was saved is ever
# dropped, and the Details view reads at most this many notes.
MAX_NOTES_PER_TASK = 50
# How long a scheduler run may hold an engagement's nudge before another run may take over
# (the default of NUDGE_LEASE_SECONDS, bot/config.py).
NUDGE_LEASE = timedelta(minutes=2)
# The stored document's format, written into it; older documents are upgraded when read
# (`Engagement.from_dict`). 2: phases are signed off (before: complete once settled).
FORMAT_VERSION = 2
MAX_COMMENT_CHARS = 500


def utc_iso(moment: datetime) -> str:
    """Fixed-width UTC timestamps compare correctly as strings, which the nudge index needs."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"  # a phase task's work is finished
    ACKNOWLEDGED = "acknowledged"  # a standing duty is accepted, with an owner
    NOT_APPLICABLE = "not_applicable"


class Change(StrEnum):
    """What an audit entry changed; the value is its stored form."""

    STATUS = "status"
    OWNER = "owner"
    DUE = "due"
    NOTE = "note"
    SKIP = "skip"
    PROFILE = "profile"
    NUDGES = "nudges"
    SNOOZE = "snooze"
    SCOPE = "scope"
    ROLE = "role"  # who installed the bot (and so may set the engagement up)
    TASK = "task"  # an own task added, removed or restored
    EDIT = "edit"  # an own task's title or description edited (before/after: the titles)
    CHANNEL = "channel"  # where nudges and announcements go (the channels' names)
    MEETING = "meeting"  # a meeting recorded or its record changed (after: its name)
    # A phase's sign-off: a signature (after: its side, reason: the comment) or signatures
    # withdrawn (before: their sides; by the Reopen, or by a task reopened in the phase).
    SIGNOFF = "signoff"
    FASTTRACK = "fasttrack"  # the FastTrack engineers named in setup (comma-separated ids)
    DEPUTY = "deputy"  # the project manager's deputies (comma-separated ids)


# What each kind of task can be moved to: phase tasks get done, standing duties acknowledged.
STEP_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.NOT_APPLICABLE})
DUTY_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.ACKNOWLEDGED, TaskStatus.NOT_APPLICABLE})


@dataclass(frozen=True)
class Actor:
    """Who did something: the Teams user id, display name and, when Teams gives it, the
    Entra object id (what the people picker returns, so it is what ownership is keyed by)."""

    id: str
    name: str
    aad_id: str | None = None

    @property
    def person(self) -> Person:
        return Person(self.aad_id or self.id, self.name)

    @property
    def ids(self) -> set[str]:
        """Every id the person may be named by: the Teams id, and the Entra object id."""
        return {self.id} | ({self.aad_id} if self.aad_id else set())

    def is_(self, person: Person | None) -> bool:
        return person is not None and person.id in (self.id, self.aad_id)

    def to_dict(self) -> dict[str, str]:
        data = {"id": self.id, "name": self.name}
        if self.aad_id:
            data["aad"] = self.aad_id
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(id=str(data["id"]), name=str(data.get("name", "")), aad_id=data.get("aad"))


@dataclass(frozen=True)
class EngagementKey:
    """Where an engagement lives: always derived from the activity, never from card data."""

    tenant_id: str
    conversation_key: str
    id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Teams ids contain characters Cosmos DB forbids in ids ('/', '#', '?'); a digest is safe.
        digest = hashlib.sha256(f"{self.tenant_id}\n{self.conversation_key}".encode()).hexdigest()
        object.__setattr__(self, "id", f"eng-{digest[:40]}")


@dataclass(frozen=True)
class TaskRecord:
    """Everything about a task beyond the catalog. A task with no record is open and unowned."""

    status: TaskStatus = TaskStatus.OPEN
    changed_by: Actor | None = None
    changed_at: datetime | None = None
    reason: str | None = None
    owner: Person | None = None
    due: date | None = None
    notes: int = 0
    last_note: str | None = None

    def is_overdue(self, today: date) -> bool:
        return self.status is TaskStatus.OPEN and self.due is not None and self.due < today

    def to_dict(self) -> dict[str, Any]:
        return self._stored

    @cached_property
    def _stored(self) -> dict[str, Any]:
        # Records are immutable and shared by every copy of an engagement, so each is
        # turned into its stored form once, not on every write. Never mutate the result.
        data: dict[str, Any] = {"status": self.status.value}
        if self.changed_by and self.changed_at:
            data |= {"by": self.changed_by.to_dict(), "at": self.changed_at.isoformat()}
        if self.reason is not None:
            data["reason"] = self.reason
        if self.owner:
            data["owner"] = self.owner.to_dict()
        if self.due:
            data["due"] = self.due.isoformat()
        if self.notes:
            data |= {"notes": self.notes, "lastNote": self.last_note}
        return data

    @classmethod
    def stored(cls, task_id: str, data: dict[str, Any]) -> TaskRecord:
        """A record as stored for `task_id`. Documents written before standing duties were
        acknowledged hold "done" for a general responsibility: read as acknowledged (the
        general track is the catalog's only track of duties, and ids keep their track)."""
        record = cls.from_dict(data)
        if record.status is TaskStatus.DONE and task_id.startswith(f"{GENERAL_TRACK_ID}."):
            return replace(record, status=TaskStatus.ACKNOWLEDGED)
        return record

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskRecord:
        return cls(
            status=TaskStatus(data["status"]),
            changed_by=Actor.from_dict(data["by"]) if "by" in data else None,
            changed_at=datetime.fromisoformat(data["at"]) if "at" in data else None,
            reason=data.get("reason"),
            owner=Person.from_dict(data["owner"]) if "owner" in data else None,
            due=date.fromisoformat(data["due"]) if "due" in data else None,
            notes=int(data.get("notes", 0)),
            last_note=data.get("lastNote"),
        )


# The record of a task nobody touched yet: open, unowned, no date, no notes.
UNTOUCHED = TaskRecord()


@dataclass(frozen=True)
class AuditEntry:
    """One change: who, when, what (a field of a task, or of the engagement), from → to."""

    seq: int
    op_id: str
    at: datetime
    actor: Actor
    subject: str  # a task id, a phase id, or "engagement"
    change: Change
    before: str | None
    after: str | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "op": self.op_id,
            "at": self.at.isoformat(),
            "by": self.actor.to_dict(),
            "subject": self.subject,
            "change": self.change.value,
            "from": self.before,
            "to": self.after,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditEntry:
        return cls(
            seq=int(data["seq"]),
            op_id=str(data["op"]),
            at=datetime.fromisoformat(data["at"]),
            actor=Actor.from_dict(data["by"]),
            subject=str(data["subject"]),
            change=Change(data["change"]),
            before=data.get("from"),
            after=data.get("to"),
            reason=data.get("reason"),
        )


@dataclass(frozen=True)
class PhaseSkip:
    by: Actor
    at: datetime
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by.to_dict(), "at": self.at.isoformat(), "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhaseSkip:
        return cls(Actor.from_dict(data["by"]), datetime.fromisoformat(data["at"]), data["reason"])


# Who signed the phases that were complete before sign-off existed (FORMAT_VERSION 2).
SYSTEM = Actor("system", "")


@dataclass(frozen=True)
class Signature:
    """One side's sign-off of a phase: who, when, and what they said."""

    by: Actor
    at: datetime
    comment: str | None = None

    @property
    def by_system(self) -> bool:
        return self.by == SYSTEM

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by.to_dict(), "at": self.at.isoformat(), "comment": self.comment}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signature:
        return cls(
            Actor.from_dict(data["by"]), datetime.fromisoformat(data["at"]), data.get("comment")
        )


@dataclass(frozen=True)
class TrackProgress:
    """Counts of a track's tasks. Tasks out of scope are settled but not counted: they are
    in none of the other counts and not in the total."""

    track: Track
    done: int = 0
    acknowledged: int = 0
    not_applicable: int = 0
    open_required: int = 0
    open_optional: int = 0
    overdue: int = 0
    out_of_scope: int = 0
    unowned: int = 0  # in scope, not set aside as not applicable, and nobody owns it
    skipped: bool = False
    # Every side the phase needs has signed it off (the general track needs none).
    signed: bool = True

    @property
    def total(self) -> int:
        return self.settled + self.open

    @property
    def settled(self) -> int:
        return self.done + self.acknowledged + self.not_applicable

    @property
    def open(self) -> int:
        return self.open_required + self.open_optional

    @property
    def settled_all(self) -> bool:
        return self.open_required == 0

    @property
    def complete(self) -> bool:
        """Skipped (needs no sign-off), or settled and signed off."""
        return self.skipped or (self.settled_all and self.signed)

    @property
    def awaiting_signoff(self) -> bool:
        return not self.skipped and self.settled_all and not self.signed

    @property
    def percent(self) -> int:
        return round(100 * self.settled / self.total) if self.total else 100


def _clean(text: str | None, limit: int) -> str | None:
    """The text without surrounding whitespace; None when it shows nothing (zero-width
    characters and Hangul fillers included)."""
    text = (text or "").strip()
    if is_blank(text):
        return None
    if len(text) > limit:
        raise TextTooLong(limit=limit)
    return text


@dataclass
class Engagement:
    key: EngagementKey
    conversation_type: str
    created_at: datetime
    installed_by: Actor | None = None
    locale: str = "en-US"
    profile: Profile | None = None
    tasks: dict[str, TaskRecord] = field(default_factory=dict)
    skipped_phases: dict[str, PhaseSkip] = field(default_factory=dict)
    # Phases whose completion was announced, so each is announced once (until reopened).
    completed_phases: dict[str, datetime] = field(default_factory=dict)
    # Each phase's signatures by side (domain/roles.py SIGNERS says whose a phase needs).
    signoffs: dict[str, dict[Side, Signature]] = field(default_factory=dict)
    last_change_at: datetime | None = None
    installed: bool = True
    nudges_paused: bool = False
    snoozed_until: datetime | None = None
    last_nudged_at: datetime | None = None  # the slot last nudged (or skipped: nothing to say)
    nudge_claim: dict[str, str] | None = None  # {slot, run, until}: a run is sending it
    unreachable: dict[str, str] | None = None  # {at, status}: Teams refused our posts
    # The weekly status report: the slot last posted, and the run posting one ({slot, run, until}).
    last_report_at: datetime | None = None
    report_claim: dict[str, str] | None = None
    # Proactive-message address, refreshed from incoming activities (the service URL can move).
    conversation_reference: dict[str, Any] | None = None
    applied_ops: AppliedOps = field(default_factory=AppliedOps)
    # Newest audit entries in their stored form (AuditEntry.to_dict): they are only appended
    # and archived, so every click need not parse and re-serialise them. The repository moves
    # older ones into archive documents.
    audit_tail: list[dict[str, Any]] = field(default_factory=list)
    audit_seq: int = 0
    # The engagement's own tasks by id (domain/own_tasks.py), removed ones until purged.
    own_tasks: dict[str, OwnTask] = field(default_factory=dict)
    own_seq: int = 0
    # The planned meetings and the last one held (domain/meetings.py); minutes are apart.
    meetings: dict[str, MeetingSummary] = field(default_factory=dict)
    # What is derived from own_tasks (each track's tasks, their stored form), kept until they
    # change (`_set_own`) and shared by copies: a click on an engagement of hundreds of own
    # tasks neither filters nor serialises them again.
    _own_views: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.key.id

    def copy(self) -> Engagement:
        """An independent copy to change. Task records, skips, the profile and the nudge
        dicts are never changed in place (only replaced), so copying the containers that
        hold them is enough. (A shallow copy, then the containers: a third of the time of
        `dataclasses.replace`, which runs `__init__` over every field; each write copies
        the engagement twice.)"""
        copied = shallow_copy(self)  # `_own_views` too: never changed in place, only replaced
        copied.tasks = dict(self.tasks)
        copied.skipped_phases = dict(self.skipped_phases)
        copied.completed_phases = dict(self.completed_phases)
        copied.signoffs = dict(self.signoffs)
        copied.applied_ops = self.applied_ops.copy()
        copied.audit_tail = list(self.audit_tail)
        copied.own_tasks = dict(self.own_tasks)
        copied.meetings = dict(self.meetings)
        return copied

    # Reading ----------------------------------------------------------------------------

    @property
    def manager(self) -> Person | None:
        """The project manager from setup; before setup, whoever installed the bot."""
        if self.profile:
            return self.profile.project_manager
        return self.installed_by.person if self.installed_by else None

    def is_manager(self, actor: Actor) -> bool:
        return actor.is_(self.manager)

    def people_in(self, role: Role) -> tuple[Person, ...]:
        """Who holds `role` (the project manager, deputies, FastTrack engineers)."""
        if role is Role.MANAGER:
            return (self.manager,) if self.manager else ()
        if self.profile is None:
            return ()
        if role is Role.DEPUTY:
            return self.profile.deputies
        if role is Role.FASTTRACK:
            return self.profile.fasttrack_engineers
        return ()

    def roles_of(self, actor: Actor) -> frozenset[Role]:
        held = {r for r in Role if any(actor.is_(p) for p in self.people_in(r))}
        return frozenset({*held, Role.MEMBER})

    def may(self, actor: Actor, action: ManagerAction) -> bool:
        return permits(self.roles_of(actor), action)

    def require_manager(self, actor: Actor, action: ManagerAction) -> None:
        """The one check behind every action the roles table (domain/roles.py) restricts;
        raises NotPermitted."""
        if not self.may(actor, action):
            raise NotPermitted(action=action.value)

    def installed_by_event(self, actor: Actor, *, at: datetime, op_id: str) -> AuditEntry | None:
        """The installer comes only from Teams' installation event, never from whoever wrote
        first (see `claim_setup` for where Teams sends none). Recording the first installer
        is no change of role; a reinstallation by someone else is, and is audited."""
        if self.has_applied(op_id) or self.installed_by == actor:
            return None
        before, self.installed_by = self.installed_by, actor
        if before is None:
            return None
        return self._audit(
            op_id, actor, at, "engagement", Change.ROLE, before.person.id, actor.person.id
        )

    def claim_setup(self, actor: Actor, *, at: datetime, op_id: str) -> AuditEntry | None:
        """Where Teams sent no installation event (a personal chat opened from the store, an
        engagement the store lost), the first person to open setup takes the installer's
        part, and the audit trail says so."""
        if self.manager is not None:
            return None
        self.installed_by = actor
        return self._audit(op_id, actor, at, "engagement", Change.ROLE, None, actor.person.id)

    def is_addressed_at(self, reference: dict[str, Any]) -> bool:
        """Whether an activity from `reference` leaves the proactive address as it is."""
        return self._address_after(reference) == (self.conversation_reference, self.unreachable)

    def heard_from(self, reference: dict[str, Any]) -> None:
        """An activity arrived from `reference`. From the engagement's own conversation (or
        when it has none yet): post there from now on, and it shows the bot can be reached
        there again. From another channel of the team: notices stay where they go (only a
        moved service URL is taken)."""
        self.conversation_reference, self.unreachable = self._address_after(reference)

    @property
    def channel_id(self) -> str | None:
        """The conversation nudges and announcements go to."""
        reference = self.conversation_reference or {}
        channel = reference.get("conversation", {}).get("id")
        return channel if isinstance(channel, str) else None

    def move_channel(
        self, to: Channel, channels: list[Channel], *, actor: Actor, at: datetime, op_id: str
    ) -> AuditEntry | None:
        """Makes `to`, one of the team's `channels`, where nudges and announcements go."""
        self.require_manager(actor, ManagerAction.SETUP)
        current = self.conversation_reference
        if current is None or self.conversation_type != "channel" or self.channel_id == to.id:
            return None
        before = next((c.name for c in channels if c.id == self.channel_id), None)
        conversation = {k: v for k, v in current.get("conversation", {}).items() if k != "name"}
        self.post_to({**current, "conversation": {**conversation, "id": to.id}})
        return self._audit(op_id, actor, at, "engagement", Change.CHANNEL, before, to.name)

    def post_to(self, reference: dict[str, Any]) -> None:
        """Makes `reference` the engagement's channel (where the bot was installed)."""
        self.conversation_reference, self.unreachable = reference, None

    def _address_after(
        self, reference: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
        current = self.conversation_reference
        # A personal chat is the person's wherever it is: the local client opens a new one at
        # every start.
        if (
            current is None
            or self.conversation_type == "personal"
            or current.get("conversation", {}).get("id")
            == reference.get("conversation", {}).get("id")
        ):
            return reference, None
        if current.get("serviceUrl") == reference.get("serviceUrl"):
            return current, self.unreachable
        return {**current, "serviceUrl": reference.get("serviceUrl")}, self.unreachable

    def language(self, fallback: Language) -> Language:
        return self.profile.language if self.profile else fallback

    def today(self, now: datetime) -> date:
        return local_today(now, self.profile.time_zone if self.profile else None)

    # The checklist: the catalog's tasks and the engagement's own, one view for every caller.

    def task(self, catalog: Catalog, task_id: str) -> Task:
        """A task on this engagement's checklist (not a removed one); UnknownTask otherwise."""
        if catalog.has_task(task_id):
            return catalog.task(task_id)
        own = self.own_tasks.get(task_id)
        if own is None or own.removed_at is not None:
            raise UnknownTask(task_id=task_id[:64])
        return own.as_task

    def has_task(self, catalog: Catalog, task_id: str) -> bool:
        own = self.own_tasks.get(task_id)
        return catalog.has_task(task_id) or (own is not None and own.removed_at is None)

    def find_task(self, catalog: Catalog, task_id: str) -> Task | None:
        """Any task the audit trail or a note may name, a removed one included."""
        if catalog.has_task(task_id):
            return catalog.task(task_id)
        own = self.own_tasks.get(task_id)
        return own.as_task if own else None

    def tasks_of(self, catalog: Catalog, track_id: str) -> tuple[Task, ...]:
        found: tuple[Task, ...] | None = self._own_views.get(f"track:{track_id}")
        if found is None:
            own = sorted(
                (t for t in self.own_tasks.values() if t.track_id == track_id and not t.removed_at),
                key=lambda t: t.seq,
            )
            catalog_tasks = catalog.tasks_of(track_id)
            found = (*catalog_tasks, *(t.as_task for t in own)) if own else catalog_tasks
            self._own_views[f"track:{track_id}"] = found
        return found

    def all_tasks(self, catalog: Catalog) -> list[Task]:
        return [task for track in catalog.tracks for task in self.tasks_of(catalog, track.id)]

    def live_own_tasks(self) -> int:
        return sum(1 for t in self.own_tasks.values() if t.removed_at is None)

    def record(self, task_id: str) -> TaskRecord:
        return self.tasks.get(task_id) or UNTOUCHED

    def status_of(self, task_id: str) -> TaskStatus:
        return self.record(task_id).status

    def in_scope(self, task: Task) -> bool:
        """Whether the task concerns a service in scope. A task for no particular service
        always is, and so is every task until setup has said which services are in scope."""
        return (
            not task.services or self.profile is None or bool(task.services & self.profile.services)
        )

    def is_overdue(self, task_id: str, today: date) -> bool:
        return self.record(task_id).is_overdue(today)

    def has_applied(self, op_id: str) -> bool:
        return op_id in self.applied_ops

    def progress(self, catalog: Catalog, track: Track, today: date | None = None) -> TrackProgress:
        counts = dict.fromkeys(
            ("done", "acknowledged", "not_applicable", "open_required", "open_optional"), 0
        )
        overdue = out_of_scope = unowned = 0
        for task in self.tasks_of(catalog, track.id):
            record = self.tasks.get(task.id) or UNTOUCHED
            if not self.in_scope(task):
                out_of_scope += 1
                continue
            if record.status is not TaskStatus.OPEN:
                counts[record.status.value] += 1
            else:
                counts["open_optional" if task.optional else "open_required"] += 1
            if today and record.is_overdue(today):
                overdue += 1
            if record.owner is None and record.status is not TaskStatus.NOT_APPLICABLE:
                unowned += 1
        return TrackProgress(
            track,
            **counts,
            overdue=overdue,
            out_of_scope=out_of_scope,
            unowned=unowned,
            skipped=track.id in self.skipped_phases,
            signed=self.is_signed(track),
        )

    def settled_all(self, catalog: Catalog, track: Track) -> bool:
        """`progress(...).settled_all` without counting every task: no required task in
        scope is open (it stops at the first open one, so a view of 300 tasks need not
        count a phase twice)."""
        return not any(
            not task.optional and self.status_of(task.id) is TaskStatus.OPEN and self.in_scope(task)
            for task in self.tasks_of(catalog, track.id)
        )

    def is_signed(self, track: Track) -> bool:
        """Every side the phase needs has signed it off (the general track needs none)."""
        return track.kind != "phase" or not self.missing_signatures(track.id)

    def is_complete(self, catalog: Catalog, track: Track) -> bool:
        """`progress(...).complete` without counting every task."""
        return track.id in self.skipped_phases or (
            self.is_signed(track) and self.settled_all(catalog, track)
        )

    def current_phase(self, catalog: Catalog) -> Track | None:
        """The first phase with required work left; None once every phase is complete.

        The general track runs alongside the phases and never gates them.
        """
        for phase in catalog.phases:
            if not self.is_complete(catalog, phase):
                return phase
        return None

    def open_tasks(self, catalog: Catalog, track: Track) -> list[Task]:
        """Open tasks in scope: what is left to settle."""
        return [
            t
            for t in self.tasks_of(catalog, track.id)
            if self.status_of(t.id) is TaskStatus.OPEN and self.in_scope(t)
        ]

    def next_up(self, catalog: Catalog, today: date, limit: int = 3) -> list[Task]:
        """What to do next: open required tasks of the current phase, overdue first, then by
        due date, then in checklist order. Standing duties are never next: they are owned
        for the whole engagement, not done one after another."""
        current = self.current_phase(catalog)
        if current is None:
            return []
        candidates = [task for task in self.open_tasks(catalog, current) if not task.optional]

        def urgency(task: Task) -> tuple[int, date]:
            due = self.record(task.id).due
            return (0 if self.is_overdue(task.id, today) else 1, due or date.max)

        return sorted(candidates, key=urgency)[:limit]

    def owned_by(self, person_ids: set[str]) -> list[str]:
        return [t for t, r in self.tasks.items() if r.owner and r.owner.id in person_ids]

    # Changing ---------------------------------------------------------------------------

    def _put(self, task_id: str, record: TaskRecord) -> None:
        if record == UNTOUCHED:
            self.tasks.pop(task_id, None)
        else:
            self.tasks[task_id] = record

    def _audit(
        self,
        op_id: str,
        actor: Actor,
        at: datetime,
        subject: str,
        change: Change,
        before: str | None,
        after: str | None,
        reason: str | None = None,
    ) -> AuditEntry:
        self.audit_seq += 1
        entry = AuditEntry(self.audit_seq, op_id, at, actor, subject, change, before, after, reason)
        self.audit_tail.append(entry.to_dict())
        self.applied_ops.add(op_id, at)
        self.last_change_at = at
        return entry

    def set_task_status(
        self,
        catalog: Catalog,
        *,
        task_id: str,
        status: TaskStatus,
        actor: Actor,
        at: datetime,
        op_id: str,
        reason: str | None = None,
    ) -> AuditEntry | None:
        """Moves a task to `status`. Returns the audit entry, or None when nothing changed.

        A replayed op id or a move to the state the task is already in changes nothing, so a
        redelivered click or a double click is harmless.
        """
        task = self.task(catalog, task_id)
        if not self.in_scope(task):
            raise OutOfScope(task_id=task_id)
        if status not in (DUTY_STATUSES if task.duty else STEP_STATUSES):
            raise WrongKindOfTask(task_id=task_id)
        reason = _clean(reason, MAX_REASON_CHARS)
        if status is TaskStatus.NOT_APPLICABLE and reason is None:
            raise ReasonRequired(task_id=task_id)
        if status is not TaskStatus.NOT_APPLICABLE:
            reason = None
        record = self.record(task_id)
        if self.has_applied(op_id) or record.status is status:
            return None
        if status is TaskStatus.ACKNOWLEDGED and record.owner is None:
            raise OwnerRequired(task_id=task_id)
        changed = replace(record, status=status, changed_by=actor, changed_at=at, reason=reason)
        if status is TaskStatus.OPEN:
            changed = replace(changed, changed_by=None, changed_at=None)
        self._put(task_id, changed)
        return self._audit(
            op_id, actor, at, task_id, Change.STATUS, record.status.value, status.value, reason
        )

    def assign_owner(
        self,
        catalog: Catalog,
        *,
        task_id: str,
        owner: Person | None,
        actor: Actor,
        at: datetime,
        op_id: str,
    ) -> AuditEntry | None:
        """Anyone may take an unowned task or give it to someone; taking a task away from
        its owner (reassigning or clearing) is for the project manager or the owner."""
        self.task(catalog, task_id)
        record = self.record(task_id)
        if self.has_applied(op_id) or record.owner == owner:
            return None
        if record.owner and not actor.is_(record.owner):
            self.require_manager(actor, ManagerAction.REASSIGN)
        if owner is None and record.status is TaskStatus.ACKNOWLEDGED:
            raise OwnerKept(task_id=task_id)
        self._put(task_id, replace(record, owner=owner))
        return self._audit(
            op_id,
            actor,
            at,
            task_id,
            Change.OWNER,
            record.owner.id if record.owner else None,
            owner.id if owner else None,
        )

    def set_due(
        self,
        catalog: Catalog,
        *,
        task_id: str,
        due: date | None,
        actor: Actor,
        at: datetime,
        op_id: str,
    ) -> AuditEntry | None:
        self.task(catalog, task_id)
        record = self.record(task_id)
        if self.has_applied(op_id) or record.due == due:
            return None
        self._put(task_id, replace(record, due=due))
        before, after = record.due, due
        return self._audit(
            op_id,
            actor,
            at,
            task_id,
            Change.DUE,
            before.isoformat() if before else None,
            after.isoformat() if after else None,
        )

    def note_added(
        self, catalog: Catalog, *, task_id: str, text: str, actor: Actor, at: datetime, op_id: str
    ) -> AuditEntry | None:
        """Counts a note and keeps a short preview; the note itself is stored on its own so
        a long history never grows this document."""
        self.task(catalog, task_id)
        note = check_note(text)
        if self.has_applied(op_id):
            return None
        record = self.record(task_id)
        if record.notes >= MAX_NOTES_PER_TASK:
            raise TooManyNotes(limit=MAX_NOTES_PER_TASK)
        preview = note[:NOTE_PREVIEW_CHARS]
        self._put(task_id, replace(record, notes=record.notes + 1, last_note=preview))
        return self._audit(op_id, actor, at, task_id, Change.NOTE, None, preview)

    # The engagement's own tasks -------------------------------------------------------------

    def add_tasks(
        self,
        catalog: Catalog,
        *,
        track_id: str,
        items: tuple[ChecklistItem, ...],
        actor: Actor,
        at: datetime,
        op_id: str,
        batch: str,
    ) -> AuditEntry | None:
        """Adds a confirmed checklist to a track, each item with its owner and due date, as
        one change: all of it or, refused, none. `batch` (the confirmation's key) makes the
        same confirmation, clicked again or redelivered, change nothing."""
        if track_id not in {t.id for t in catalog.tracks}:
            raise UnknownTrack(name=track_id[:40])
        key = batch_key(batch)
        if self.has_applied(op_id) or any(t.batch == key for t in self.own_tasks.values()):
            return None
        self._purge_removed(at)
        if self.live_own_tasks() + len(items) > MAX_OWN_TASKS:
            raise TooManyTasks(limit=MAX_OWN_TASKS)
        first: AuditEntry | None = None
        for item in items:
            self.own_seq += 1
            task_id = f"own-{self.own_seq}"
            own = OwnTask(
                task_id, track_id, self.own_seq, item.title, item.description, actor.person, at, key
            )
            self._set_own(task_id, own)
            self._put(task_id, replace(UNTOUCHED, owner=item.owner, due=item.due))
            entry = self._audit(op_id, actor, at, task_id, Change.TASK, None, "added")
            first = first or entry
        return first

    def record_meeting(
        self,
        catalog: Catalog,
        *,
        summary: MeetingSummary,
        name: str,
        action_items: tuple[ChecklistItem, ...],
        batch: str,
        actor: Actor,
        at: datetime,
        op_id: str,
    ) -> AuditEntry | None:
        """Keeps a saved meeting's summary and turns its action items into tasks of its
        phase, once per save (`batch`): a redelivered or repeated save changes nothing."""
        if self.has_applied(op_id):
            return None
        before = self.meetings.get(summary.id)
        summaries = kept({**self.meetings, summary.id: summary}, at)
        if sum(1 for m in summaries.values() if not m.held(at)) > MAX_PLANNED:
            raise TooManyMeetings(limit=MAX_PLANNED)
        added = None
        if action_items:
            added = self.add_tasks(
                catalog,
                track_id=summary.track_id,
                items=action_items,
                actor=actor,
                at=at,
                op_id=op_id,
                batch=batch,
            )
        if before == summary and added is None:
            return None
        self.meetings = summaries
        entry = self._audit(op_id, actor, at, summary.track_id, Change.MEETING, None, name)
        return added or entry

    def remove_task(
        self, catalog: Catalog, *, task_id: str, actor: Actor, at: datetime, op_id: str
    ) -> AuditEntry | None:
        """Takes an own task off the checklist (restorable for seven days); the catalog's
        tasks stay, to be marked not applicable."""
        self.require_manager(actor, ManagerAction.TASKS)
        if catalog.has_task(task_id):
            raise CatalogTaskKept(task_id=task_id)
        own = self.own_tasks.get(task_id)
        if own is None:
            raise UnknownTask(task_id=task_id[:64])
        if self.has_applied(op_id) or own.removed_at is not None:
            return None
        self._purge_removed(at)
        self._set_own(task_id, replace(own, removed_at=at))
        return self._audit(op_id, actor, at, task_id, Change.TASK, "added", "removed")

    def restore_task(
        self, catalog: Catalog, *, task_id: str, actor: Actor, at: datetime, op_id: str
    ) -> AuditEntry | None:
        """Brings a removed own task back as it was, within seven days of its removal."""
        self.require_manager(actor, ManagerAction.TASKS)
        own = self.own_tasks.get(task_id)
        if own is None or catalog.has_task(task_id):
            raise UnknownTask(task_id=task_id[:64])
        if self.has_applied(op_id) or own.removed_at is None:
            return None
        if not own.restorable(at):
            raise RestoreExpired(task_id=task_id)
        if self.live_own_tasks() >= MAX_OWN_TASKS:
            raise TooManyTasks(limit=MAX_OWN_TASKS)
        self._set_own(task_id, replace(own, removed_at=None))
        return self._audit(op_id, actor, at, task_id, Change.TASK, "removed", "added")

    def edit_task(
        self,
        catalog: Catalog,
        *,
        task_id: str,
        title: str | None,
        description: str | None,
        seen: str,
        actor: Actor,
        at: datetime,
        op_id: str,
    ) -> AuditEntry | None:
        """Sets an own task's title and description. `seen` is the fingerprint of the text
        the form was opened with: a form opened before someone else's edit changes nothing
        (EditConflict); the same edit again, or redelivered, changes nothing either."""
        self.require_manager(actor, ManagerAction.TASKS)
        if catalog.has_task(task_id):
            raise CatalogTaskKept(task_id=task_id)
        own = self.own_tasks.get(task_id)
        if own is None or own.removed_at is not None:
            raise UnknownTask(task_id=task_id[:64])
        new_title = _clean(title, MAX_TITLE_CHARS)
        if new_title is None:
            raise TextRequired()
        new_description = _clean(description, MAX_DESCRIPTION_CHARS) or ""
        if self.has_applied(op_id) or (own.title, own.description) == (
            new_title,
            new_description,
        ):
            return None
        if seen != own.fingerprint:
            raise EditConflict(task_id=task_id)
        self._set_own(task_id, replace(own, title=new_title, description=new_description))
        return self._audit(op_id, actor, at, task_id, Change.EDIT, own.title, new_title)

    def _purge_removed(self, now: datetime) -> None:
        """Drops own tasks removed longer ago than they can be restored, with their records."""
        for task_id, own in list(self.own_tasks.items()):
            if own.removed_at is not None and not own.restorable(now):
                self._set_own(task_id, None)
                self.tasks.pop(task_id, None)

    def _set_own(self, task_id: str, own: OwnTask | None) -> None:
        """The one way own_tasks change (None drops the task): what is derived from them is
        then derived again."""
        if own is None:
            del self.own_tasks[task_id]
        else:
            self.own_tasks[task_id] = own
        self._own_views = {}

    def skip_phase(
        self,
        catalog: Catalog,
        *,
        phase_id: str,
        reason: str | None,
        actor: Actor,
        at: datetime,
        op_id: str,
    ) -> AuditEntry | None:
        self._phase(catalog, phase_id)  # an unknown phase is refused
        self.require_manager(actor, ManagerAction.SKIP)
        reason = _clean(reason, MAX_REASON_CHARS)
        if reason is None:
            raise ReasonRequired()
        if self.has_applied(op_id) or phase_id in self.skipped_phases:
            return None
        self.skipped_phases[phase_id] = PhaseSkip(actor, at, reason)
        # Settled, but not complete: a skip is announced as a skip, never as a completion.
        self.completed_phases.setdefault(phase_id, at)
        return self._audit(op_id, actor, at, phase_id, Change.SKIP, None, "skipped", reason)

    def undo_skip(
        self, catalog: Catalog, *, phase_id: str, actor: Actor, at: datetime, op_id: str
    ) -> AuditEntry | None:
        """Puts a skipped phase back in the plan; its completion is announced when its
        tasks are done (audited as a skip entry from "skipped" back to none)."""
        phase = self._phase(catalog, phase_id)
        self.require_manager(actor, ManagerAction.SKIP)
        if self.has_applied(op_id) or phase_id not in self.skipped_phases:
            return None
        del self.skipped_phases[phase_id]
        if not self.is_complete(catalog, phase):
            self.completed_phases.pop(phase_id, None)
        return self._audit(op_id, actor, at, phase_id, Change.SKIP, "skipped", None)

    # Sign-off -------------------------------------------------------------------------------

    def missing_signatures(self, phase_id: str) -> list[Side]:
        signed = self.signoffs.get(phase_id, {})
        return [side for side in signers_of(phase_id) if side not in signed]

    def missing_signers(self, phase_id: str) -> tuple[Person, ...]:
        """Whom to nudge for a phase's missing signatures: who may sign each missing side
        (the project manager, who names them, while no FastTrack engineer is named)."""
        people: dict[str, Person] = {}
        for side in self.missing_signatures(phase_id):
            for person in self.signers_for(side) or self.people_in(Role.MANAGER):
                people.setdefault(person.id, person)
        return tuple(people.values())

    def signers_for(self, side: Side) -> tuple[Person, ...]:
        """Who may sign for `side`: the project manager and deputies for the customer, the
        FastTrack engineers for FastTrack."""
        if side is Side.FASTTRACK:
            return self.people_in(Role.FASTTRACK)
        return (*self.people_in(Role.MANAGER), *self.people_in(Role.DEPUTY))

    def awaiting_signoff(self, catalog: Catalog) -> list[Track]:
        """The phases settled but not signed off by every side they need (not skipped)."""
        return [
            p
            for p in catalog.phases
            if p.id not in self.skipped_phases
            and not self.is_signed(p)
            and self.settled_all(catalog, p)
        ]

    def sign_off(
        self,
        catalog: Catalog,
        *,
        phase_id: str,
        side: Side,
        comment: str | None,
        actor: Actor,
        at: datetime,
        op_id: str,
    ) -> AuditEntry | None:
        """Signs a settled phase off for `side`. A side already signed changes nothing, so two
        clicks at once (two instances) record one signature."""
        phase = self._phase(catalog, phase_id)
        if phase_id in self.skipped_phases or side not in signers_of(phase_id):
            raise NoSignOffNeeded()
        self.require_manager(actor, SIGN_ACTION[side])
        comment = _clean(comment, MAX_COMMENT_CHARS)
        if self.has_applied(op_id) or side in self.signoffs.get(phase_id, {}):
            return None
        if not self.progress(catalog, phase).settled_all:
            raise PhaseNotReady()
        self.signoffs[phase_id] = {
            **self.signoffs.get(phase_id, {}),
            side: Signature(actor, at, comment),
        }
        return self._audit(op_id, actor, at, phase_id, Change.SIGNOFF, None, side.value, comment)

    def reopen_phase(
        self,
        catalog: Catalog,
        *,
        phase_id: str,
        reason: str | None,
        actor: Actor,
        at: datetime,
        op_id: str,
    ) -> AuditEntry | None:
        """Withdraws a phase's signatures (with a reason): it waits for sign-off again, and its
        completion is announced again when signed."""
        self._phase(catalog, phase_id)
        self.require_manager(actor, ManagerAction.REOPEN_PHASE)
        reason = _clean(reason, MAX_REASON_CHARS)
        if reason is None:
            raise ReasonRequired()
        if self.has_applied(op_id) or not self.signoffs.get(phase_id):
            return None
        return self._withdraw(phase_id, actor, at, op_id, reason)

    def _withdraw(
        self, phase_id: str, actor: Actor, at: datetime, op_id: str, reason: str | None
    ) -> AuditEntry:
        sides = ",".join(self.signoffs.pop(phase_id))
        self.completed_phases.pop(phase_id, None)
        return self._audit(op_id, actor, at, phase_id, Change.SIGNOFF, sides, None, reason)

    def phases_reopened_by(
        self, catalog: Catalog, change: AuditEntry | None, at: datetime
    ) -> list[Track]:
        """The signed phases `change` took back to in progress (a task reopened or added, a
        service back in scope): their signatures are withdrawn, audited with the change's op
        id and who made it."""
        if change is None or not self.signoffs:
            return []
        task = self.find_task(catalog, change.subject)
        # A task's change can reopen only its own phase; a new setup any phase.
        track_id = task.track_id if task is not None else None
        if task is None and change.change is not Change.PROFILE:
            return []
        reopened = [
            p
            for p in catalog.phases
            if (track_id is None or p.id == track_id)
            and self.signoffs.get(p.id)
            and not self.progress(catalog, p).settled_all
        ]
        for phase in reopened:
            self._withdraw(phase.id, change.actor, at, change.op_id, None)
        return reopened

    def _phase(self, catalog: Catalog, phase_id: str) -> Track:
        phase = next((p for p in catalog.phases if p.id == phase_id), None)
        if phase is None:
            raise UnknownTrack(name=phase_id[:40])
        return phase

    def apply_profile(
        self, catalog: Catalog, profile: Profile, *, actor: Actor, at: datetime, op_id: str
    ) -> AuditEntry | None:
        """Saves the setup. Each task the new services put out of scope, or back in, gets
        its own audit entry with the services now in scope as the reason: its state is
        kept, and comes back when its service does."""
        self.require_manager(actor, ManagerAction.SETUP)
        if self.has_applied(op_id) or self.profile == profile:
            return None
        before = self.profile.name if self.profile else None
        was_in_scope = {
            task.id: self.in_scope(task) for task in self.all_tasks(catalog) if task.services
        }
        roles_before = self._role_ids()
        self.profile = profile
        entry = self._audit(op_id, actor, at, "engagement", Change.PROFILE, before, profile.name)
        for (role, ids_before), (_, ids_now) in zip(roles_before, self._role_ids(), strict=True):
            if ids_before != ids_now:
                self._audit(
                    op_id, actor, at, "engagement", role, ids_before or None, ids_now or None
                )
        services = ",".join(sorted(profile.services))
        for task_id, was in was_in_scope.items():
            now = self.in_scope(self.task(catalog, task_id))
            if now != was:
                scope = {True: "in", False: "out"}
                self._audit(
                    op_id, actor, at, task_id, Change.SCOPE, scope[was], scope[now], services
                )
        return entry

    def _role_ids(self) -> list[tuple[Change, str]]:
        """Each role as its audit entries store it: the change and the people's ids."""
        return [
            (change, ",".join(p.id for p in self.people_in(role)))
            for change, role in (
                (Change.ROLE, Role.MANAGER),
                (Change.FASTTRACK, Role.FASTTRACK),
                (Change.DEPUTY, Role.DEPUTY),
            )
        ]

    def phases_completed_by(
        self, catalog: Catalog, change: AuditEntry | None, at: datetime
    ) -> list[Track]:
        """The phases `change` completed, marked announced: a signature only its phase (every
        phase takes one, so a settled phase waits for it); a task's change only its own phase;
        a new setup any phase; a skip none (it is announced as a skip); no change (None)
        nothing."""
        if change is None:
            return []
        track_id: str | None
        if change.change is Change.SIGNOFF:
            track_id = change.subject
        elif change.change in (Change.STATUS, Change.TASK):
            # Removing a phase's last open task completes it too.
            task = self.find_task(catalog, change.subject)
            if task is None:
                return []
            track_id = task.track_id
        elif change.change is Change.PROFILE:
            track_id = None
        else:
            return []
        return self.take_completed_phases(catalog, at, track_id=track_id)

    def take_completed_phases(
        self, catalog: Catalog, at: datetime, *, track_id: str | None = None
    ) -> list[Track]:
        """Phases complete now and never announced before (only `track_id` when given: a
        change to one track cannot complete another); marks them announced."""
        newly = [
            p
            for p in catalog.phases
            if (track_id is None or p.id == track_id)
            and p.id not in self.completed_phases
            and self.is_complete(catalog, p)
        ]
        for phase in newly:
            self.completed_phases[phase.id] = at
        return newly

    # Nudges -------------------------------------------------------------------------------

    @property
    def schedule(self) -> NudgeSchedule:
        return self.profile.schedule if self.profile else NudgeSchedule()

    @property
    def time_zone(self) -> str:
        return self.profile.time_zone if self.profile else "UTC"

    def next_nudge_at(self) -> datetime | None:
        """When the next nudge is due; None while nudges cannot or must not be sent."""
        if (
            not self.installed
            or self.nudges_paused
            or self.unreachable
            or not self.conversation_reference
        ):
            return None
        after = max(self.last_nudged_at or self.created_at, self.snoozed_until or self.created_at)
        return next_slot(self.schedule, self.time_zone, after)

    def due_slot(self, now: datetime) -> datetime | None:
        """The slot to nudge for now, if one is due."""
        due = self.next_nudge_at()
        if due is None or due > now:
            return None
        after = max(self.last_nudged_at or self.created_at, self.snoozed_until or self.created_at)
        return latest_due_slot(self.schedule, self.time_zone, after, now)

    def claim_nudge(self, slot: datetime, run_id: str, now: datetime, lease: timedelta) -> bool:
        """Takes the slot for one scheduler run for `lease`; False if done or held by a live
        run."""
        claim = take_claim(self.last_nudged_at, self.nudge_claim, slot, run_id, now, lease)
        if claim is None:
            return False
        self.nudge_claim = claim
        return True

    def complete_nudge(self, slot: datetime) -> None:
        self.last_nudged_at = max(slot, self.last_nudged_at or slot)
        self.nudge_claim = None

    def digest(self, catalog: Catalog, now: datetime) -> Digest:
        open_tasks = [t for track in catalog.tracks for t in self.open_tasks(catalog, track)]
        digest = build_digest(
            catalog,
            open_tasks=open_tasks,
            due_dates={t: r.due for t, r in self.tasks.items() if r.due},
            owned={t for t, r in self.tasks.items() if r.owner},
            current_phase=self.current_phase(catalog),
            today=self.today(now),
            stalled=is_stalled(self.last_change_at, self.created_at, now),
        )
        awaiting = [(p, self.missing_signers(p.id)) for p in self.awaiting_signoff(catalog)]
        return replace(digest, awaiting_signoff=awaiting)

    def set_nudges_paused(
        self, paused: bool, *, actor: Actor, at: datetime, op_id: str
    ) -> AuditEntry | None:
        self.require_manager(actor, ManagerAction.NUDGES)
        if self.has_applied(op_id) or self.nudges_paused == paused:
            return None
        self.nudges_paused = paused
        before, after = ("on", "off") if paused else ("off", "on")
        return self._audit(op_id, actor, at, "engagement", Change.NUDGES, before, after)

    def snooze(
        self, until: datetime, *, actor: Actor, at: datetime, op_id: str
    ) -> AuditEntry | None:
        if self.has_applied(op_id) or (self.snoozed_until and self.snoozed_until >= until):
            return None
        before = utc_iso(self.snoozed_until) if self.snoozed_until else None
        self.snoozed_until = until
        return self._audit(op_id, actor, at, "engagement", Change.SNOOZE, before, utc_iso(until))

    # The weekly status report -------------------------------------------------------------

    def next_report_at(self) -> datetime | None:
        """When the next weekly report is due; None before setup or while posts cannot go."""
        if (
            self.profile is None
            or not self.installed
            or self.unreachable
            or not self.conversation_reference
        ):
            return None
        after = self.last_report_at or self.created_at
        return next_slot(self.profile.report_schedule, self.time_zone, after)

    def next_scheduled_at(self) -> datetime | None:
        due = [d for d in (self.next_nudge_at(), self.next_report_at()) if d is not None]
        return min(due, default=None)

    def report_due_slot(self, now: datetime) -> datetime | None:
        """The weekly report's slot to post for now, if one is due (after an outage: the
        newest one only)."""
        due = self.next_report_at()
        if due is None or due > now or self.profile is None:
            return None
        after = self.last_report_at or self.created_at
        return latest_due_slot(self.profile.report_schedule, self.time_zone, after, now)

    def claim_report(self, slot: datetime, run_id: str, now: datetime, lease: timedelta) -> bool:
        """Takes the report's slot for one run; False if posted or held by a live run."""
        claim = take_claim(self.last_report_at, self.report_claim, slot, run_id, now, lease)
        if claim is None:
            return False
        self.report_claim = claim
        return True

    def complete_report(self, slot: datetime) -> None:
        self.last_report_at = max(slot, self.last_report_at or slot)
        self.report_claim = None

    def mark_unreachable(self, status: int, at: datetime) -> None:
        self.unreachable = {"at": at.isoformat(), "status": str(status)}
        self.nudge_claim = None
        self.report_claim = None

    # Storage form -----------------------------------------------------------------------

    def schedule_state(self) -> dict[str, Any]:
        """The stored properties that hold the scheduler's state (`to_dict` writes them from
        here): a claim, its completion and `mark_unreachable` change nothing else, so the
        repository writes those changes without serialising the rest (tests hold them to it)."""
        return {
            "nudges": {
                "paused": self.nudges_paused,
                "snoozedUntil": self.snoozed_until.isoformat() if self.snoozed_until else None,
                "lastNudgedAt": self.last_nudged_at.isoformat() if self.last_nudged_at else None,
                "claim": self.nudge_claim,
                "unreachable": self.unreachable,
            },
            # Derived, stored so the scheduler finds due engagements with an indexed query:
            # the next digest or weekly report, whichever comes first.
            "nextNudgeAt": utc_iso(due) if (due := self.next_scheduled_at()) else None,
            "report": {
                "lastAt": self.last_report_at.isoformat() if self.last_report_at else None,
                "claim": self.report_claim,
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "formatVersion": FORMAT_VERSION,
            "tenantId": self.key.tenant_id,
            "conversationKey": self.key.conversation_key,
            "conversationType": self.conversation_type,
            "createdAt": self.created_at.isoformat(),
            "installedBy": self.installed_by.to_dict() if self.installed_by else None,
            "locale": self.locale,
            "profile": self.profile.to_dict() if self.profile else None,
            "tasks": {task_id: record.to_dict() for task_id, record in self.tasks.items()},
            "skippedPhases": {k: v.to_dict() for k, v in self.skipped_phases.items()},
            "completedPhases": {k: v.isoformat() for k, v in self.completed_phases.items()},
            "signoffs": {
                phase: {side.value: s.to_dict() for side, s in signed.items()}
                for phase, signed in self.signoffs.items()
            },
            "lastChangeAt": self.last_change_at.isoformat() if self.last_change_at else None,
            "installed": self.installed,
            **self.schedule_state(),
            "conversationReference": self.conversation_reference,
            "appliedOps": self.applied_ops.to_dict(),
            "auditTail": list(self.audit_tail),
            "auditSeq": self.audit_seq,
            "ownTasks": self._stored_own_tasks(),
            # Written with the map it names, so a reader whose earlier state has the same
            # digest takes its own tasks as they are instead of comparing ~86 KB of them. A
            # writer that does not know it drops it (the repository removes what its body
            # lacks), and a reader then compares.
            "ownTasksDigest": self._own_tasks_digest(),
            "ownSeq": self.own_seq,
            "meetings": {key: m.to_dict() for key, m in self.meetings.items()},
        }

    def _stored_own_tasks(self) -> dict[str, Any]:
        # Shared by every body written until an own task changes: never mutate it.
        stored: dict[str, Any] | None = self._own_views.get("stored")
        if stored is None:
            stored = {task_id: own.to_dict() for task_id, own in self.own_tasks.items()}
            self._own_views["stored"] = stored
        return stored

    def _own_tasks_digest(self) -> str:
        digest: str | None = self._own_views.get("digest")
        if digest is None:
            digest = hashlib.sha256(orjson.dumps(self._stored_own_tasks())).hexdigest()[:32]
            self._own_views["digest"] = digest
        return digest

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        known: Engagement | None = None,
        known_data: dict[str, Any] | None = None,
    ) -> Engagement:
        """The engagement as stored. `known`, an earlier state of it, lends the task records
        and own tasks whose stored form is unchanged instead of their being parsed again:
        after another instance's click on 300 tasks, one record is new. `known_data` is the
        stored form `known` was read from or written as: a map or an entry that is the very
        object it holds (a store that reads only what changed shares them) is not compared."""
        if known is not None and known_data is None:
            known_data = known.to_dict()
        stored_before = known_data or {}
        digest = data.get("ownTasksDigest")
        same_own_tasks = digest is not None and digest == stored_before.get("ownTasksDigest")
        installed_by = data.get("installedBy")
        profile = data.get("profile")
        last_change = data.get("lastChangeAt")
        nudges = data.get("nudges") or {}
        snoozed, nudged = nudges.get("snoozedUntil"), nudges.get("lastNudgedAt")
        report = data.get("report") or {}
        engagement = cls(
            key=EngagementKey(data["tenantId"], data["conversationKey"]),
            conversation_type=data["conversationType"],
            created_at=datetime.fromisoformat(data["createdAt"]),
            installed_by=Actor.from_dict(installed_by) if installed_by else None,
            locale=data.get("locale", "en-US"),
            profile=Profile.from_dict(profile) if profile else None,
            tasks=_parsed(
                data.get("tasks", {}),
                known.tasks if known else {},
                stored_before.get("tasks", {}),
                TaskRecord.stored,
            ),
            skipped_phases={
                k: PhaseSkip.from_dict(v) for k, v in data.get("skippedPhases", {}).items()
            },
            completed_phases={
                k: datetime.fromisoformat(v) for k, v in data.get("completedPhases", {}).items()
            },
            last_change_at=datetime.fromisoformat(last_change) if last_change else None,
            installed=bool(data.get("installed", True)),
            nudges_paused=bool(nudges.get("paused", False)),
            snoozed_until=datetime.fromisoformat(snoozed) if snoozed else None,
            last_nudged_at=datetime.fromisoformat(nudged) if nudged else None,
            nudge_claim=nudges.get("claim"),
            unreachable=nudges.get("unreachable"),
            last_report_at=datetime.fromisoformat(report["lastAt"])
            if report.get("lastAt")
            else None,
            report_claim=report.get("claim"),
            conversation_reference=data.get("conversationReference"),
            applied_ops=AppliedOps.stored(
                data.get("appliedOps"),
                datetime.fromisoformat(last_change or data["createdAt"]),
            ),
            audit_tail=list(data.get("auditTail", [])),
            audit_seq=int(data.get("auditSeq", 0)),
            # Documents from before own tasks have neither key.
            own_tasks=dict(known.own_tasks)
            if known is not None and same_own_tasks
            else _parsed(
                data.get("ownTasks", {}),
                known.own_tasks if known else {},
                stored_before.get("ownTasks", {}),
                OwnTask.from_dict,
            ),
            own_seq=int(data.get("ownSeq", 0)),
            meetings={
                k: MeetingSummary.from_dict(k, v) for k, v in data.get("meetings", {}).items()
            },
            signoffs={
                phase: {Side(side): Signature.from_dict(s) for side, s in signed.items()}
                for phase, signed in data.get("signoffs", {}).items()
            },
        )
        if known is not None and engagement.own_tasks == known.own_tasks:
            engagement._own_views = known._own_views
        if int(data.get("formatVersion", 1)) < 2:
            engagement._sign_completed_phases(default_catalog())
        return engagement

    def _sign_completed_phases(self, catalog: Catalog) -> None:
        """Upgrade from format 1, where a settled phase was complete: each phase announced
        complete and still settled is signed by the system, for every side, when its
        completion was announced. One announced but reopened since loses the mark, so its
        completion is announced once signed. Nothing is audited: reading writes nothing, and
        the signatures are on the document from its next write."""
        for phase in catalog.phases:
            completed = self.completed_phases.get(phase.id)
            if completed is None or phase.id in self.skipped_phases:
                continue
            if self.progress(catalog, phase).settled_all:
                self.signoffs[phase.id] = {
                    side: Signature(SYSTEM, completed) for side in signers_of(phase.id)
                }
            else:
                del self.completed_phases[phase.id]


class _Stored(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


S = TypeVar("S", bound=_Stored)


def _parsed(
    stored: dict[str, Any],
    known: dict[str, S],
    known_stored: dict[str, Any],
    parse: Callable[[str, dict[str, Any]], S],
) -> dict[str, S]:
    """Each entry parsed, or the known one where its stored form is the same. `known_stored`
    is the stored form of `known`, entry for entry."""
    if stored is known_stored or stored == known_stored:  # in C; the common case
        return dict(known)
    parsed: dict[str, S] = {}
    for key, data in stored.items():
        before = known.get(key)
        if before is None or (data is not known_stored.get(key) and data != before.to_dict()):
            before = parse(key, data)
        parsed[key] = before
    return parsed


def take_claim(
    done: datetime | None,
    claim: dict[str, str] | None,
    slot: datetime,
    run_id: str,
    now: datetime,
    lease: timedelta,
) -> dict[str, str] | None:
    """A scheduler run's claim on `slot` ({slot, run, until}) for `lease`, or None when the
    slot is done or another run holds a claim that has not expired."""
    if done and done >= slot:
        return None
    if claim and claim["run"] != run_id and datetime.fromisoformat(claim["until"]) > now:
        return None
    return {"slot": utc_iso(slot), "run": run_id, "until": (now + lease).isoformat()}


def check_note(text: str) -> str:
    note = _clean(text, MAX_NOTE_CHARS)
    if note is None:
        raise TextRequired()
    return note
