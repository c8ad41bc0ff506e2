"""Where a turn's time goes inside the server: the handler's time and, of it, the store's and
the reply serialisation's.

The latency rounds label each measured request with a header naming its kind; a middleware in
the benchmark server times the handler of every labelled request (from after aiohttp parsed
the request to the response being ready to write) and the store calls the turn awaited (the
`CountingStore` of testkit adds them up). Handler minus store is the bot's own work for that
turn: what it does in Python between the activity and the answer. Client-side latency adds to
both the HTTP exchange, the same for a click and an echo turn answering the same bytes.

Reply serialisation is timed by wrapping, in the server process only, the two functions that
turn what the bot answers into bytes: `bot.connector_http.activity_body` (a message, post or
update) and `bot.adapter.json_response` (an invoke response), see `time_serialisation`.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from aiohttp import web

from benchmarks.common import Latencies
from testkit import store_time

KIND_HEADER = "X-Bench-Kind"
F = TypeVar("F", bound=Callable[..., Any])
# Seconds the turn being timed has spent serialising what it answers (None outside a turn).
_serialising: ContextVar[list[float] | None] = ContextVar("serialising", default=None)


def _timed(function: F) -> F:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        spent = _serialising.get()
        if spent is None:
            return function(*args, **kwargs)
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    return timed  # type: ignore[return-value]


def time_serialisation() -> None:
    """Wraps the bot's two reply serialisers with timers (call once, in the server)."""
    import bot.adapter
    import bot.connector_http

    bot.connector_http.activity_body = _timed(bot.connector_http.activity_body)
    bot.adapter.json_response = _timed(bot.adapter.json_response)


@contextlib.contextmanager
def serialisation_time() -> Iterator[list[float]]:
    spent = [0.0]
    token = _serialising.set(spent)
    try:
        yield spent
    finally:
        _serialising.reset(token)


class ServerTimes:
    """Per kind of labelled turn: handler seconds, store seconds, reply serialisation seconds,
    and the rest (own work)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.handler, self.store, self.own = Latencies(), Latencies(), Latencies()
        self.serialise = Latencies()

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        kind = request.headers.get(KIND_HEADER)
        if kind is None:
            return await handler(request)
        with store_time() as stored, serialisation_time() as serialised:
            started = time.perf_counter()
            try:
                return await handler(request)
            finally:
                total = time.perf_counter() - started
                self.handler.add(kind, total)
                self.store.add(kind, stored[0])
                self.serialise.add(kind, serialised[0])
                self.own.add(kind, total - stored[0] - serialised[0])

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {
            kind: {
                "n": self.handler.count(kind),
                "handler_ms": self.handler.p50_ms(kind),
                "store_ms": self.store.p50_ms(kind),
                "own_ms": self.own.p50_ms(kind),
                "serialise_ms": self.serialise.p50_ms(kind),
            }
            for kind in self.handler.samples
        }
