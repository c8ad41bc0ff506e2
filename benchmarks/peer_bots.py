"""The peers (issue 22 item 0): stock echo bots on Microsoft's two current Python SDKs for
Teams, the Microsoft 365 Agents SDK and the Teams SDK (benchmarks/peers/), run by the
benchmark as processes of their own beside the bot and driven by the same client in the same
rounds. Dev-only: they live in their own virtualenv, `.venv-peers`, made here on first use
from benchmarks/peers/requirements.txt (their dependencies need not agree with botbuilder's).

Each answers a message with the card the bot's `status` answers (posted to the service URL,
the fake Bot Connector) and an Action.Execute invoke with the card a Done click answers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.client import Process, spawn
from benchmarks.common import PROJECT_ROOT, progress
from benchmarks.echo import click_sized_card
from cards.common import Card, View
from cards.overview import overview_card
from domain.catalog import default_catalog
from domain.engagement import Engagement, EngagementKey
from testkit import free_port

PEERS_DIR = PROJECT_ROOT / "benchmarks" / "peers"
REQUIREMENTS = PEERS_DIR / "requirements.txt"
VENV = PROJECT_ROOT / ".venv-peers"
# The peers by the name the table gives them, and the script of each.
SCRIPTS = {"Agents SDK": "agents_echo.py", "Teams SDK": "teams_echo.py"}
VENV_TIMEOUT_S = 120.0
INSTALL_TIMEOUT_S = 900.0
READY_TIMEOUT_S = 60.0


def status_sized_card() -> Card:
    """The card `status` answers for a new engagement (as in the latency rounds)."""
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    engagement = Engagement(EngagementKey("echo", "echo"), "personal", now)
    return overview_card(engagement, default_catalog(), View("en", now.date(), None))


def _install() -> Path:
    """`.venv-peers` with the pinned requirements; made again when they change."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    progress(f"installing the peers into {VENV.name} (first run only)")
    subprocess.run(
        [sys.executable, "-m", "venv", "--clear", str(VENV)], check=True, timeout=VENV_TIMEOUT_S
    )
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", str(REQUIREMENTS)],
        check=True,
        timeout=INSTALL_TIMEOUT_S,
    )  # fmt: skip
    stamp.write_text(wanted)
    return python


async def _listening(port: int, process: Process) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if process.popen.poll() is not None:
            raise RuntimeError(f"peer exited:\n{process.tail()}")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1.0)
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"peer not listening:\n{process.tail()}") from None
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return


@dataclass
class PeerBots:
    """Each peer's /api/messages URL, by name."""

    urls: dict[str, str]


@asynccontextmanager
async def peer_bots(tmp: Path) -> AsyncIterator[PeerBots]:
    """Both peers, started (and installed when needed) and stopped again."""
    python = await asyncio.to_thread(_install)
    cards = tmp / "peer-cards.json"
    cards.write_text(json.dumps({"message": status_sized_card(), "invoke": click_sized_card()}))
    processes: list[Process] = []
    urls = {}
    try:
        for name, script in SCRIPTS.items():
            port = free_port()
            log = tmp / f"peer-{script.removesuffix('.py')}.log"
            args = [str(python), str(PEERS_DIR / script), str(port), str(cards)]
            process = spawn(args, log)
            processes.append(process)
            await _listening(port, process)
            urls[name] = f"http://127.0.0.1:{port}/api/messages"
        yield PeerBots(urls)
    finally:
        for process in processes:
            process.stop()
