"""Starts the FastTrack EMS onboarding bot: `python app.py`."""

from __future__ import annotations

import sys
from pathlib import Path

from aiohttp import web

from bot.config import Settings, configure_logging, load_dotenv
from bot.web import create_app
from storage.base import StoreUnavailable


def main() -> None:
    load_dotenv(Path(__file__).with_name(".env"))
    configure_logging()
    settings = Settings.from_env()
    try:
        web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)
    except StoreUnavailable as error:  # start-up failures get one clear line
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
