"""Starts the FastTrack EMS onboarding bot: `python app.py`."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from aiohttp import web

from bot.config import ConfigurationError, Settings, configure_logging, load_dotenv
from bot.limits import SERVER_OPTIONS, CappedSite, connection_cap
from bot.web import create_app
from storage.base import StoreUnavailable


async def serve(app: web.Application, settings: Settings) -> None:
    """As aiohttp's run_app, but listening through CappedSite: SIGINT or SIGTERM stop it,
    after the requests in flight have finished (aiohttp's shutdown timeout)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    runner = web.AppRunner(app, **SERVER_OPTIONS)
    await runner.setup()
    try:
        site = CappedSite(
            runner, settings.host, settings.port, connection_cap(settings.max_connections)
        )
        await site.start()
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    load_dotenv(Path(__file__).with_name(".env"))
    configure_logging()
    settings = Settings.from_env()
    try:
        asyncio.run(serve(create_app(settings), settings))
    except (ConfigurationError, StoreUnavailable) as error:  # one clear line
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
