"""Issue 18 item 6: `make run` with the bot's port taken says so and starts nothing."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def test_a_taken_port_is_named_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        env = {**os.environ, "PORT": str(port), "BOT_DATA_DIR": str(tmp_path / "data")}
        env["LOG_DIR"] = str(tmp_path / "logs")
        run = await asyncio.create_subprocess_exec(
            str(ROOT / "scripts" / "run-local.sh"),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(30):
            out, err = await run.communicate()
    assert run.returncode == 1
    assert f"port {port} is taken" in err.decode()
    assert "is running" not in out.decode() and "Starting the bot" not in out.decode()
