"""Live cards: the engagement's latest overview and latest card of each phase in its shared
conversation are brought up to date after every change, wherever the change came from (a
'my tasks' entry, an older card further up the channel).

The bot remembers, per engagement, which message shows what (at most the overview and one
card per phase, so the list is bounded by the catalog). Updates go through the one proactive
sender (Teams' rate limits), in the background so a click is not kept waiting, at most one
refresh per engagement at a time: changes arriving meanwhile are folded into one more pass.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from cards.common import Card
from cards.overview import overview_card
from cards.phase import phase_card
from dialogs.context import CardGone, Poster, Shown
from dialogs.services import Services
from domain.engagement import Engagement

log = logging.getLogger("dialogs.live")

# Engagements refreshed at once; beyond that a refresh is dropped (the cards lag until the
# next change) rather than queued without bound.
MAX_REFRESHING = 64
# A refresh gives up after this; the sender's retries and pacing are inside it.
REFRESH_TIMEOUT_S = 60.0


def draw(services: Services, engagement: Engagement, shown: Shown) -> Card | None:
    """The card again, in the engagement's language (everyone in the channel sees it)."""
    catalog = services.catalog
    view = services.engagement_view(engagement)
    if shown.kind == Shown.OVERVIEW:
        return overview_card(engagement, catalog, view)
    track = catalog.find_track(shown.kind)
    if track is None or track.id != shown.kind:
        return None  # a phase the catalog no longer has
    return phase_card(engagement, catalog, track, view, page=shown.page)


@dataclass(frozen=True)
class Posted:
    """A message in the engagement's shared conversation and what it now shows to everyone
    (None: nothing the bot keeps current, e.g. a task's details)."""

    conversation_id: str
    activity_id: str
    shows: Shown | None


def _entry(message: Posted, shows: Shown) -> dict[str, Any]:
    return {
        "conversation": message.conversation_id,
        "activity": message.activity_id,
        "page": shows.page,
    }


async def remember(services: Services, engagement_id: str, message: Posted) -> None:
    """A message the bot just posted: the latest of what it shows."""
    if message.shows is None:
        return
    cards = await services.live_cards(engagement_id)
    kept = {k: v for k, v in cards.items() if v.get("activity") != message.activity_id}
    kept[message.shows.kind] = _entry(message, message.shows)
    await services.save_live_cards(engagement_id, kept)


async def _clicked(services: Services, engagement_id: str, message: Posted) -> None:
    """A message clicked into showing something else: if it is a kept one, it is kept as what
    it shows now (unless a later message shows that); an older message stays unkept."""
    cards = await services.live_cards(engagement_id)
    kept = {k: v for k, v in cards.items() if v.get("activity") != message.activity_id}
    if kept == cards:
        return
    if message.shows is not None and message.shows.kind not in kept:
        kept[message.shows.kind] = _entry(message, message.shows)
    await services.save_live_cards(engagement_id, kept)


def _shown(kind: str, entry: dict[str, Any]) -> Shown | None:
    page = entry.get("page", 0)
    ids_ok = isinstance(entry.get("conversation"), str) and isinstance(entry.get("activity"), str)
    return Shown(kind, page) if ids_ok and isinstance(page, int) else None


class LiveCards:
    def __init__(self, services: Services, poster: Poster) -> None:
        self.services = services
        self.poster = poster
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: dict[str, Posted | None] = {}

    def changed(self, engagement_id: str, clicked: Posted | None = None) -> None:
        """Schedules bringing the engagement's live cards up to date after a change;
        `clicked` is the shared message the change was clicked on, already showing it."""
        if engagement_id in self._running:
            self._again[engagement_id] = clicked  # folded into one more pass
            return
        if len(self._running) >= MAX_REFRESHING:
            log.warning("live cards: too many refreshes at once; one skipped")
            return
        task = asyncio.create_task(self._refresh_until_settled(engagement_id, clicked))
        self._running[engagement_id] = task
        task.add_done_callback(lambda _: self._running.pop(engagement_id, None))

    async def drain(self) -> None:
        """Waits for refreshes under way (shutdown, tests)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _refresh_until_settled(self, engagement_id: str, clicked: Posted | None) -> None:
        try:
            async with asyncio.timeout(REFRESH_TIMEOUT_S):
                await self.refresh(engagement_id, clicked)
                while engagement_id in self._again:
                    await self.refresh(engagement_id, self._again.pop(engagement_id))
        except Exception as error:  # the change is saved; only the shared views lag
            log.warning("live cards of %s not refreshed: %s", engagement_id, type(error).__name__)
        finally:
            self._again.pop(engagement_id, None)

    async def refresh(self, engagement_id: str, clicked: Posted | None = None) -> None:
        services = self.services
        if clicked is not None:
            await _clicked(services, engagement_id, clicked)
        current = clicked.activity_id if clicked else None
        cards = await services.live_cards(engagement_id)
        if not cards:  # nothing posted to keep current: no need to read the engagement
            return
        engagement = await services.find(engagement_id)
        reference = engagement.conversation_reference if engagement else None
        if engagement is None or not reference:
            return
        gone: set[str] = set()
        for kind, entry in cards.items():
            shown = _shown(kind, entry)
            card = draw(services, engagement, shown) if shown else None
            if card is None:
                gone.add(kind)
                continue
            if entry["activity"] == current:
                continue
            # The message's own conversation: a reply in a channel thread carries its thread.
            target = {**reference, "conversation": {**reference["conversation"]}}
            target["conversation"]["id"] = entry["conversation"]
            try:
                await self.poster.update(target, entry["activity"], card)
            except CardGone:
                gone.add(kind)
        if gone:
            latest = await services.live_cards(engagement_id)
            await services.save_live_cards(
                engagement_id,
                {k: v for k, v in latest.items() if not (k in gone and v == cards[k])},
            )
