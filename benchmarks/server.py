"""The bot under test, in its own process: `python -m benchmarks.server --backend ...`.

Serves, on loopback ports chosen by the OS:
- the real app (`bot.web.create_app`) on a `CountingStore` around the chosen backend;
- the echo app (benchmarks/echo.py), the same HTTP stack with no store work;
- a control app for the benchmark: store counters, Cosmos DB wire counters, server-side turn
  times (benchmarks/timing.py), pyinstrument.
Prints one JSON line with the three ports when ready; stops on SIGTERM. Logging is set up as
app.py does it (one INFO line per turn), written to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path

from aiohttp import web
from pyinstrument import Profiler

from benchmarks.echo import create_echo_app
from benchmarks.profiling import summarise
from benchmarks.timing import ServerTimes, time_serialisation
from bot.config import Settings, configure_logging
from bot.limits import SERVER_OPTIONS
from bot.web import create_app
from storage.base import DocumentStore
from testkit import CountingStore, WireCounter


def _store(args: argparse.Namespace, wire: WireCounter) -> DocumentStore:
    if args.backend == "cosmos":
        from storage.cosmos import CosmosStore

        return CosmosStore(args.endpoint, args.key, args.database, args.container, **wire.options())
    from storage.embedded import EmbeddedStore

    return EmbeddedStore(Path(args.data_dir))


def _control_app(store: CountingStore, wire: WireCounter, times: ServerTimes) -> web.Application:
    profiler: list[Profiler] = []

    async def counters(request: web.Request) -> web.Response:
        return web.json_response({"store": store.snapshot(), "wire": wire.snapshot()})

    async def reset(request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        store.reset()
        wire.reset()
        store.measure_bytes = bool(body.get("measure_bytes", False))
        return web.json_response({"ok": True})

    async def turn_times(request: web.Request) -> web.Response:
        return web.json_response(times.snapshot())

    async def turn_times_reset(request: web.Request) -> web.Response:
        times.reset()
        return web.json_response({"ok": True})

    async def profile_start(request: web.Request) -> web.Response:
        # Samples the whole event-loop thread, whichever task runs (async_mode disabled).
        p = Profiler(interval=0.0005, async_mode="disabled")
        p.start()
        profiler.append(p)
        return web.json_response({"ok": True})

    async def profile_stop(request: web.Request) -> web.Response:
        p = profiler.pop()
        session = p.stop()
        return web.json_response(summarise(session))

    app = web.Application()
    app.router.add_get("/counters", counters)
    app.router.add_post("/counters/reset", reset)
    app.router.add_get("/times", turn_times)
    app.router.add_post("/times/reset", turn_times_reset)
    app.router.add_post("/profile/start", profile_start)
    app.router.add_post("/profile/stop", profile_stop)
    return app


async def serve(args: argparse.Namespace) -> None:
    settings = Settings(nudges_enabled=False, anonymous=True)
    time_serialisation()
    wire = WireCounter()
    store = CountingStore(_store(args, wire))
    times = ServerTimes()
    bot, echo = create_app(settings, store=store), create_echo_app(settings)
    for app in (bot, echo):  # outermost, so the timed handler includes the turn log
        app.middlewares.insert(0, times.middleware)
    runners = []
    ports = {}
    for name, app in (("bot", bot), ("echo", echo), ("control", _control_app(store, wire, times))):
        # As app.py runs the bot (and so the echo floor): its access log, keep-alive timeout.
        options = {"access_log": None} if name == "control" else SERVER_OPTIONS
        runner = web.AppRunner(app, **options)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        ports[name] = runner.addresses[0][1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print(json.dumps(ports), flush=True)
    await stop.wait()
    for runner in reversed(runners):
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("embedded", "cosmos"), required=True)
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--endpoint", default="")
    parser.add_argument("--key", default="")
    parser.add_argument("--database", default="bench")
    parser.add_argument("--container", default="engagements")
    args = parser.parse_args()
    configure_logging()  # as app.py: one INFO line per turn, formatted and written out
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
