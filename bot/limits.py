"""How much the bot lets a network make it hold: connections, requests in flight, time to
send a request, and log lines.

- Connections: `CappedSite` listens like aiohttp's TCPSite, but past `max_connections` open
  connections a new one gets a 503 and is closed at once, so a flood of idle connections
  cannot use up the process's file descriptors (the store, outbound calls and the log need
  some too). The count is taken when a connection is accepted; connections accepted in one
  loop iteration (at most the listen backlog) can pass the cap, which is why the cap stays
  that far below the open-file limit.
- Header time: aiohttp closes a connection that has not delivered a complete request head
  within its keep-alive timeout of being opened (or of its previous response), so that
  timeout is the header read timeout. The body's timeout is the adapter's
  (`BODY_READ_TIMEOUT_S`).
- Requests in flight: past `max_in_flight`, a request is answered 503 at once rather than
  queued. /healthz is not counted, so health checks see a busy bot as alive.
- Log lines: at most `burst` lines per logger and message template per minute; the rest are
  counted and reported once the minute is over. A turn is logged once, by bot/web.py's turn
  log; aiohttp's access log writes a line for every other request.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web
from aiohttp.web_log import AccessLogger

log = logging.getLogger("bot.limits")

HEADER_READ_TIMEOUT_S = 10.0
LISTEN_BACKLOG = 128
# File descriptors kept for everything but client connections: the store, outbound HTTP,
# log files, the listening socket.
RESERVED_FDS = 64
HEALTH_PATH = "/healthz"
TURN_PATH = "/api/messages"

_BUSY_BODY = orjson.dumps({"error": "busy, try again shortly"})
_BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
    % (len(_BUSY_BODY), _BUSY_BODY)
)


class OtherRequestsLog(AccessLogger):
    """aiohttp's access log, but not for turns: the turn log (bot/web.py) already writes one
    line per turn with its status and time, and formatting a second one cost about as much
    CPU as the turn's activity parse."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if request.path != TURN_PATH:
            super().log(request, response, time)


# Keyword arguments for aiohttp's AppRunner (and TestServer): the keep-alive timeout is also
# the time a new connection has to deliver its first request head.
SERVER_OPTIONS: dict[str, Any] = {
    "keepalive_timeout": HEADER_READ_TIMEOUT_S,
    "access_log_class": OtherRequestsLog,
}


def connection_cap(configured: int) -> int:
    """`configured`, or less when the open-file limit would be reached first. Raises the soft
    limit to the hard one where allowed, as servers commonly do."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return configured
    return max(1, min(configured, soft - RESERVED_FDS - LISTEN_BACKLOG))


class _Busy(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(_BUSY_RESPONSE)
        transport.close()


class CappedSite(web.TCPSite):
    """aiohttp's TCPSite with a cap on open connections."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, max_connections: int) -> None:
        super().__init__(runner, host, port, backlog=LISTEN_BACKLOG)
        self.max_connections = max_connections
        self.refused = 0

    def _protocol(self) -> asyncio.BaseProtocol:
        server = self._runner.server
        assert server is not None
        if len(server.connections) >= self.max_connections:
            self.refused += 1
            if self.refused == 1 or self.refused % 1000 == 0:
                log.warning(
                    "connection cap %d reached (%d refused)", self.max_connections, self.refused
                )
            return _Busy()
        return server()

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with the runner
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol, self._host, self._port, backlog=self._backlog
        )
        self._bound_port = self._server.sockets[0].getsockname()[1]


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def in_flight_cap(limit: int) -> Any:
    """Middleware: at most `limit` requests handled at once; past it, 503 without waiting."""
    in_flight = 0

    @web.middleware
    async def cap(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal in_flight
        if request.path == HEALTH_PATH:
            return await handler(request)
        if in_flight >= limit:
            return web.Response(
                body=_BUSY_BODY,
                status=503,
                content_type="application/json",
                headers={"Retry-After": "1"},
            )
        in_flight += 1
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    return cap


class RateLimitedLog(logging.Filter):
    """Lets at most `burst` records per (logger, message template) through per `period_s`;
    reports how many were dropped when the next record of that kind comes after the period."""

    def __init__(self, burst: int = 20, period_s: float = 60.0) -> None:
        super().__init__()
        self.burst, self.period_s = burst, period_s
        self._windows: dict[tuple[str, str], list[float]] = {}  # [start, passed, dropped]

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        window = self._windows.get(key)
        if window is None or now - window[0] >= self.period_s:
            if len(self._windows) > 10_000:  # bounded: templates, not values, are the keys
                self._windows.clear()
            dropped = int(window[2]) if window is not None else 0
            self._windows[key] = [now, 1, 0]
            if dropped:
                record.msg = f"{record.msg} [{dropped} similar lines dropped before this one]"
            return True
        if window[1] < self.burst:
            window[1] += 1
            return True
        window[2] += 1
        return False
