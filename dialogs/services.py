"""The application core the flows use: engagements, notes, drafts, the owner index and the
people's memberships.

It owns the repository; flows and the Teams edge go through it, never around it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Container
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from cards.common import View
from dialogs.links import LinkSigner
from dialogs.scope import TurnScope
from domain.catalog import Catalog
from domain.engagement import AuditEntry, Engagement, EngagementKey
from domain.errors import EngagementMissing
from domain.i18n import language_for
from domain.meetings import Meeting
from domain.notes import Note
from domain.reminders import PersonalReminders
from storage.base import StoreUnavailable
from storage.meetings import MeetingRepository
from storage.people import PeopleRepository
from storage.repository import DueEngagements, EngagementRepository

R = TypeVar("R")
log = logging.getLogger("dialogs.services")
# Memberships this process recorded, remembered so a click records nothing twice; a
# forgotten one costs one upsert.
KNOWN_MEMBERSHIPS = 4096
# A membership entry is a convenience of the personal chat: it never holds a turn up long.
MEMBERSHIP_WRITE_S = 1.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class Services:
    def __init__(
        self,
        repo: EngagementRepository,
        catalog: Catalog,
        clock: Callable[[], datetime] = utc_now,
        links: LinkSigner | None = None,
    ) -> None:
        self._repo = repo
        self._people = PeopleRepository(repo.store)
        self._meetings = MeetingRepository(repo.store)
        self._memberships: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.catalog = catalog
        self.clock = clock
        # Without a configured key (tests, a local run): one of this process's own.
        self.links = links or LinkSigner(secrets.token_bytes(32), "http://localhost:3978")

    def view(self, engagement: Engagement, scope: TurnScope) -> View:
        return View.of(engagement, scope.lang, self.clock())

    def personal_view(self, engagement: Engagement | None, scope: TurnScope) -> View:
        """How a person's own views ('my tasks') are shown: in the language they use, whatever
        the engagement's; dates and times still in the engagement's zone."""
        now = self.clock()
        if engagement is None:
            return View(scope.lang, now.date(), None)
        return dataclasses.replace(View.of(engagement, scope.lang, now), lang=scope.lang)

    def engagement_view(self, engagement: Engagement, now: datetime | None = None) -> View:
        """How cards the bot posts on its own are shown: in the engagement's language."""
        fallback = language_for(engagement.locale)
        return View.of(engagement, engagement.language(fallback), now or self.clock())

    def new_engagement(self, scope: TurnScope) -> Engagement:
        return Engagement(
            key=scope.key,
            conversation_type=scope.conversation_type,
            created_at=self.clock(),
            locale="ko-KR" if scope.lang == "ko" else "en-US",
            conversation_reference=scope.reference,
        )

    async def stored_scope(self, scope: TurnScope) -> TurnScope:
        """The scope under whose key the conversation's engagement is stored: a personal chat
        stored under its conversation id (before chats were keyed by the person) keeps it."""
        legacy = scope.legacy_key
        if legacy is None or await self._repo.exists(scope.key.id):
            return scope
        if not await self._repo.exists(legacy.id):
            return scope
        return replace(scope, key=legacy, legacy_key=None)

    async def engagement_for(self, scope: TurnScope) -> tuple[Engagement, bool]:
        """The conversation's engagement, created on first contact (Teams does not always
        send an installation event, e.g. for a personal chat opened from the app store).
        Returns it and whether this call created it."""
        engagement = await self._repo.get(scope.key.id)
        if engagement is None:
            return await self._repo.create_if_missing(self.new_engagement(scope))
        if not engagement.is_addressed_at(scope.reference):
            engagement, _ = await self.change(scope, lambda e: None)
        return engagement, False

    async def change(
        self, scope: TurnScope, change: Callable[[Engagement], R]
    ) -> tuple[Engagement, R]:
        """Applies `change` to the conversation's engagement, keeping its proactive address
        fresh from the activity."""

        def apply(engagement: Engagement) -> R:
            engagement.heard_from(scope.reference)
            return change(engagement)

        try:
            return await self._repo.update(scope.key.id, apply)
        except EngagementMissing:
            await self._repo.create_if_missing(self.new_engagement(scope))
            return await self._repo.update(scope.key.id, apply)

    async def change_by_id(
        self, engagement_id: str, change: Callable[[Engagement], R]
    ) -> tuple[Engagement, R]:
        """Applies `change` to an engagement named by id (a 'my tasks' entry, a nudge, the
        bot's removal): its proactive address stays as its own conversation last set it."""
        return await self._repo.update(engagement_id, change)

    async def change_schedule(
        self, engagement_id: str, change: Callable[[Engagement], R]
    ) -> tuple[Engagement, R]:
        """As `change_by_id`, for a change of the scheduler's state only (a nudge's or weekly
        report's claim and record, `mark_unreachable`): the rest is not serialised."""
        return await self._repo.update_schedule(engagement_id, change)

    async def find(self, engagement_id: str) -> Engagement | None:
        return await self._repo.get(engagement_id)

    async def owned_engagements(self, person_ids: set[str]) -> list[str]:
        return await self._repo.owned_engagements(person_ids)

    async def notes(self, engagement_id: str, task_id: str) -> list[Note]:
        return await self._repo.notes(engagement_id, task_id)

    async def save_note(self, engagement_id: str, note: Note, op_id: str) -> None:
        await self._repo.save_note(engagement_id, note, op_id)

    async def all_notes(self, engagement_id: str) -> list[Note]:
        return await self._repo.all_notes(engagement_id)

    async def meeting(self, engagement_id: str, meeting_id: str) -> tuple[Meeting, str] | None:
        return await self._meetings.get(engagement_id, meeting_id)

    async def save_meeting(self, engagement_id: str, meeting: Meeting, etag: str | None) -> None:
        await self._meetings.save(engagement_id, meeting, etag)

    async def all_meetings(self, engagement_id: str) -> list[Meeting]:
        return await self._meetings.all(engagement_id)

    async def audit_trail(self, engagement_id: str) -> list[AuditEntry]:
        """Every change to the engagement, oldest first."""
        return await self._repo.audit_trail(engagement_id)

    async def audit_since(self, engagement: Engagement, since: datetime) -> list[AuditEntry]:
        """The changes to `engagement` (as given) from `since` on, oldest first; read back
        only as far as that."""
        return await self._repo.audit_since(engagement, since)

    async def setup_draft(self, engagement_id: str) -> dict[str, str] | None:
        return await self._repo.setup_draft(engagement_id)

    async def save_setup_draft(self, engagement_id: str, values: dict[str, str] | None) -> None:
        await self._repo.save_setup_draft(engagement_id, values)

    async def checklist_draft(self, engagement_id: str, batch: str) -> str | None:
        return await self._repo.checklist_draft(engagement_id, batch)

    async def save_checklist_draft(self, engagement_id: str, batch: str, lines: str) -> None:
        await self._repo.save_checklist_draft(engagement_id, batch, lines)

    async def live_cards(self, engagement_id: str) -> dict[str, dict[str, Any]]:
        return await self._repo.live_cards(engagement_id)

    async def save_live_cards(self, engagement_id: str, cards: dict[str, dict[str, Any]]) -> None:
        await self._repo.save_live_cards(engagement_id, cards)

    async def due_for_nudge(
        self, now: datetime, limit: int, *, known: Container[str] = frozenset()
    ) -> DueEngagements:
        return await self._repo.due_for_nudge(now, limit, known=known)

    async def note_member(self, person_id: str, key: EngagementKey) -> None:
        """Records that the person is in the conversation of the engagement `key` names (seen
        acting there, or named its manager), so their personal chat lists it. Written once
        per process, and only within a short deadline: a failure is logged, not raised (the
        next turn there tries again)."""
        pair = (person_id, key.id)
        if pair in self._memberships:
            self._memberships.move_to_end(pair)
            return
        try:
            async with asyncio.timeout(MEMBERSHIP_WRITE_S):
                await self._people.record_membership(person_id, key.id, key.tenant_id)
        except (StoreUnavailable, TimeoutError) as error:
            log.warning("could not record a membership: %s", type(error).__name__)
            return
        self._memberships[pair] = None
        if len(self._memberships) > KNOWN_MEMBERSHIPS:
            self._memberships.popitem(last=False)

    async def forget_member(self, person_id: str, engagement_id: str) -> None:
        """The person left the engagement's conversation (or Teams no longer lists them)."""
        self._memberships.pop((person_id, engagement_id), None)
        await self._people.forget_membership(person_id, engagement_id)

    async def engagements_of(self, person_id: str) -> tuple[set[str], set[str]]:
        """Engagements the person was recorded in, and those they own tasks in (by this one
        id), from one query: hints, to read and check each."""
        return await self._people.engagements_of(person_id)

    async def is_recorded_member(self, person_id: str, engagement_id: str) -> bool:
        return await self._people.is_member(person_id, engagement_id)

    async def reminders_of(self, person_id: str) -> PersonalReminders:
        return await self._people.reminders(person_id)

    async def change_reminders(
        self, person_id: str, change: Callable[[PersonalReminders], R]
    ) -> tuple[PersonalReminders, R]:
        """Applies `change` to a person's reminder switch and record (a conditional write)."""
        return await self._people.change_reminders(person_id, change)
