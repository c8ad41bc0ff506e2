"""Steps the end-to-end modules share: making a digest due now, and running the scheduler."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from domain.engagement import Engagement
from storage.embedded import EmbeddedStore
from storage.repository import EngagementRepository
from tests.e2e.stack import Stack, http_post

# A digest is due at the first scheduled slot (weekdays 09:00) after the engagement was
# created or last nudged, by the real clock: a week and a day back always has one.
A_DIGEST_AGO = timedelta(days=8)


def digest_due(engagement: Engagement) -> None:
    engagement.created_at -= A_DIGEST_AGO


def change_stored(stack: Stack, engagement_id: str, change: Callable[[Engagement], object]) -> None:
    """Applies `change` to the engagement in the bot's own (embedded) store while the bot is
    stopped, as an operator would; then starts the bot again on the same port."""
    port = stack.bot.port
    stack.bot.stop()
    asyncio.run(_change(stack, engagement_id, change))
    stack.bot.start(port)


async def _change(stack: Stack, engagement_id: str, change: Callable[[Engagement], object]) -> None:
    store = EmbeddedStore(stack.bot.data_dir)
    await store.open()
    try:
        await EngagementRepository(store).update(engagement_id, change)
    finally:
        await store.close()


def run_nudges(stack: Stack) -> Any:
    """What an external scheduler's POST /api/nudges/run gets back."""
    secret = {"Authorization": f"Bearer {stack.bot.nudge_secret}"}
    status, report = http_post(f"{stack.bot.url}/api/nudges/run", secret)
    assert status == 200, report
    return report
