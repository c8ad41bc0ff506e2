"""Engagements written straight through the repository (the fast path: no turns)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime

from domain.engagement import Actor, Engagement, EngagementKey
from storage.base import DocumentStore
from storage.repository import EngagementRepository
from testkit import conversation_reference

PM = Actor("29:pm", "Project Manager", "aad-pm")


def engagement(
    service_url: str, tenant: str, conversation: str, kind: str, created: datetime
) -> Engagement:
    return Engagement(
        EngagementKey(tenant, conversation),
        kind,
        created,
        installed_by=PM,
        conversation_reference=conversation_reference(service_url, conversation, tenant, kind),
    )


async def seed(
    store: DocumentStore,
    engagements: Iterable[Engagement],
    *,
    concurrency: int = 32,
) -> int:
    """Creates the engagements, `concurrency` at a time; returns how many."""
    repo = EngagementRepository(store)
    gate = asyncio.Semaphore(concurrency)
    count = 0

    async def one(e: Engagement) -> None:
        async with gate:
            await repo.create_if_missing(e)

    pending: list[asyncio.Task[None]] = []
    for e in engagements:
        pending.append(asyncio.ensure_future(one(e)))
        count += 1
        if len(pending) >= 1000:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    return count
