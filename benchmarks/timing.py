"""Where a turn's time goes inside the server: the handler's time and, of it, the store's.

The latency rounds label each measured request with a header naming its kind; a middleware in
the benchmark server times the handler of every labelled request (from after aiohttp parsed
the request to the response being ready to write) and the store calls the turn awaited (the
`CountingStore` of testkit adds them up). Handler minus store is the bot's own work for that
turn: what it does in Python between the activity and the answer. Client-side latency adds to
both the HTTP exchange, the same for a click and an echo turn answering the same bytes.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from benchmarks.common import Latencies
from testkit import store_time

KIND_HEADER = "X-Bench-Kind"


class ServerTimes:
    """Per kind of labelled turn: handler seconds, store seconds, and the rest (own work)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.handler, self.store, self.own = Latencies(), Latencies(), Latencies()

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        kind = request.headers.get(KIND_HEADER)
        if kind is None:
            return await handler(request)
        with store_time() as spent:
            started = time.perf_counter()
            try:
                return await handler(request)
            finally:
                total = time.perf_counter() - started
                self.handler.add(kind, total)
                self.store.add(kind, spent[0])
                self.own.add(kind, total - spent[0])

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {
            kind: {
                "n": self.handler.count(kind),
                "handler_ms": self.handler.p50_ms(kind),
                "store_ms": self.store.p50_ms(kind),
                "own_ms": self.own.p50_ms(kind),
            }
            for kind in self.handler.samples
        }
