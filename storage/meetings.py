"""Meetings on top of the document store: one `meeting-<id>` document each in the
engagement's partition, beside its notes (storage/repository.py)."""

from __future__ import annotations

from domain.meetings import MEETING_PREFIX, Meeting
from storage.base import DocumentStore


class MeetingRepository:
    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    async def get(self, engagement_id: str, meeting_id: str) -> tuple[Meeting, str] | None:
        """The meeting and the etag it was read with."""
        doc = await self._store.read(engagement_id, MEETING_PREFIX + meeting_id)
        return (Meeting.from_dict(meeting_id, doc.body), doc.etag) if doc else None

    async def save(self, engagement_id: str, meeting: Meeting, etag: str | None) -> None:
        """Creates the meeting (etag None) or replaces the one read with `etag`: raises
        AlreadyExists, EtagMismatch or NotFound when someone saved it in between."""
        doc_id, body = MEETING_PREFIX + meeting.id, meeting.to_dict()
        if etag is None:
            await self._store.create(engagement_id, doc_id, body)
        else:
            await self._store.replace(engagement_id, doc_id, body, etag=etag)

    async def all(self, engagement_id: str) -> list[Meeting]:
        """Every meeting of the engagement, earliest first (for the export)."""
        docs = await self._store.list_partition(engagement_id, MEETING_PREFIX)
        meetings = [Meeting.from_dict(d.id.removeprefix(MEETING_PREFIX), d.body) for d in docs]
        return sorted(meetings, key=lambda m: m.summary.start)
