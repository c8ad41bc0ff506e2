"""Client-side pacing for everything the bot sends on its own, within Teams' bot rate limits.

Sliding windows (a log of send times per key), pure asyncio, no threads; the clock and the
sleep are injectable so tests run on fake time.

This limiter is per process: several bot instances each keep their own windows, so together
they can exceed the limits. Teams then answers 429 with Retry-After, and the sender's retry
(bot/outbound.py) covers that; the limiter only keeps one instance from causing it.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

# Limits from Microsoft's "Rate limiting for bots" page (msteams-docs
# bots/how-to/rate-limit.md), "per bot per thread" for send / create conversation:
# 7 per 1 s, 8 per 2 s, 60 per 30 s, 1,800 per hour.
CONVERSATION_PER_SECOND = 7
CONVERSATION_PER_2_SECONDS = 8
CONVERSATION_PER_30_SECONDS = 60
CONVERSATION_PER_HOUR = 1_800
# Same page, "per app per tenant" across all conversations: 50 requests per second. An older
# copy of the page says 30; the current one says 50. Lower this constant if Teams throttles.
TENANT_PER_SECOND = 50


K = TypeVar("K")


@dataclass(frozen=True)
class Window:
    """At most `limit` sends in any `seconds`-long interval."""

    limit: int
    seconds: float


CONVERSATION_WINDOWS: tuple[Window, ...] = (
    Window(CONVERSATION_PER_SECOND, 1.0),
    Window(CONVERSATION_PER_2_SECONDS, 2.0),
    Window(CONVERSATION_PER_30_SECONDS, 30.0),
    Window(CONVERSATION_PER_HOUR, 3600.0),
)
TENANT_WINDOWS: tuple[Window, ...] = (Window(TENANT_PER_SECOND, 1.0),)

# Added to every window's length. A send is counted from its grant until it completes, then at
# its completion time, which is never before the service saw it arrive: so arrivals there
# cannot bunch beyond the limits here, and the margin only absorbs clock granularity.
DEFAULT_MARGIN_S = 0.01
# How often the logs of keys nobody sends to any more are looked for and dropped, so memory
# stays bounded by the keys sent to within the longest window (an hour).
SWEEP_EVERY_S = 60.0


class SendLog:
    """Send times of one key, oldest first, kept only as long as some window can see them."""

    __slots__ = ("_keep", "_most", "_times", "_windows")

    def __init__(self, windows: Sequence[Window], margin: float) -> None:
        self._windows = tuple(Window(w.limit, w.seconds + margin) for w in windows)
        self._keep = max(w.seconds for w in self._windows)
        self._most = max(w.limit for w in self._windows)
        self._times: list[float] = []

    def prune(self, now: float) -> None:
        cut = bisect.bisect_right(self._times, now - self._keep)
        del self._times[: max(cut, len(self._times) - self._most)]

    def __bool__(self) -> bool:
        return bool(self._times)

    def wait(self, now: float) -> float:
        """Seconds until one more send fits every window (0 = now)."""
        times, wait = self._times, 0.0
        for window in self._windows:
            if len(times) >= window.limit:
                # The limit-th most recent send must have left the window.
                free_at = times[-window.limit] + window.seconds
                wait = max(wait, free_at - now)
        return wait

    def record(self, now: float) -> None:
        bisect.insort(self._times, now)

    def settle(self, granted: float, completed: float) -> None:
        """Moves a send from its grant time to its completion time."""
        index = bisect.bisect_left(self._times, granted)
        if index < len(self._times) and self._times[index] == granted:
            del self._times[index]
        bisect.insort(self._times, completed)


def _drop_idle(logs: dict[K, SendLog], now: float) -> None:
    for key, log in list(logs.items()):
        log.prune(now)
        if not log:
            del logs[key]


class RateLimiter:
    """`await acquire(tenant, conversation)` before each send: it waits until the send fits
    the conversation's and the tenant's windows, then counts it. Retries are sends too.

    Waiters are not queued: after a wait each one checks again, so order among concurrent
    senders to one conversation is not guaranteed (the check and the record happen without
    an await in between, so the limits are)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        conversation_windows: Sequence[Window] = CONVERSATION_WINDOWS,
        tenant_windows: Sequence[Window] = TENANT_WINDOWS,
        margin: float = DEFAULT_MARGIN_S,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._conversation_windows = tuple(conversation_windows)
        self._tenant_windows = tuple(tenant_windows)
        self._margin = margin
        self._conversations: dict[tuple[str, str], SendLog] = {}
        self._tenants: dict[str, SendLog] = {}
        self._in_flight: dict[tuple[str, str], list[float]] = {}
        self._swept_at = clock()

    async def acquire(self, tenant_id: str, conversation_id: str) -> float:
        """Waits until a send to `conversation_id` is allowed and records it at the grant
        time; `settle` moves it to when the send completed. Returns the seconds waited."""
        started = self._clock()
        while True:
            now = self._clock()
            self._maybe_sweep(now)
            conversation = self._conversations.get((tenant_id, conversation_id))
            if conversation is None:
                conversation = SendLog(self._conversation_windows, self._margin)
                self._conversations[tenant_id, conversation_id] = conversation
            tenant = self._tenants.get(tenant_id)
            if tenant is None:
                tenant = self._tenants[tenant_id] = SendLog(self._tenant_windows, self._margin)
            conversation.prune(now)
            tenant.prune(now)
            wait = max(conversation.wait(now), tenant.wait(now))
            if wait <= 0:
                conversation.record(now)
                tenant.record(now)
                self._in_flight.setdefault((tenant_id, conversation_id), []).append(now)
                return now - started
            await self._sleep(wait)

    def settle(self, tenant_id: str, conversation_id: str) -> None:
        """After a send to `conversation_id` finished (either way): counts it from now, its
        completion, instead of from its grant."""
        key = (tenant_id, conversation_id)
        grants = self._in_flight.get(key)
        if not grants:
            return
        granted = grants.pop(0)
        if not grants:
            del self._in_flight[key]
        now = self._clock()
        for log in (self._conversations.get(key), self._tenants.get(tenant_id)):
            if log is not None:
                log.settle(granted, now)

    def _maybe_sweep(self, now: float) -> None:
        if now - self._swept_at < SWEEP_EVERY_S:
            return
        self._swept_at = now
        _drop_idle(self._conversations, now)
        _drop_idle(self._tenants, now)

    @property
    def tracked(self) -> int:
        """How many conversations and tenants have send times held (memory in use)."""
        return len(self._conversations) + len(self._tenants)
