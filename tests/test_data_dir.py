"""`python app.py` with an embedded store it cannot use: one clear line naming the path and
exit code 2 at start-up (issue 16 item 6); /healthz says 503 once the disk is full while it
runs (item 5)."""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from testkit import PROJECT_ROOT, FakeConnector, free_port, stop_process, wait_healthy
from testkit import activities as a

REFUSAL = "I can't save right now"


def _env(data_dir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PORT": str(port),
        "BOT_DATA_DIR": str(data_dir),
        "BOT_ANONYMOUS": "true",
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "NUDGES_ENABLED": "false",
    }


def _file_size_limit(limit: int) -> Callable[[], None]:
    """In the child: no file may grow past `limit` bytes (a full disk, as the process sees
    it; Python ignores SIGXFSZ, so a write past it fails with EFBIG)."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _parent_is_a_file(tmp_path: Path) -> tuple[Path, Callable[[], None] | None]:
    (tmp_path / "file").write_text("not a directory")
    return tmp_path / "file" / "data", None


def _read_only(tmp_path: Path) -> tuple[Path, Callable[[], None] | None]:
    # sysfs takes no new files, not even from root (chmod would not stop root).
    return Path("/sys/kernel"), None


def _disk_full(tmp_path: Path) -> tuple[Path, Callable[[], None] | None]:
    return tmp_path / "data", _file_size_limit(0)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        (_parent_is_a_file, "Not a directory"),
        (_read_only, ""),
        (_disk_full, ""),
    ],
    ids=["parent-is-a-file", "read-only", "disk-full"],
)
def test_an_unusable_data_dir_is_one_line_and_exit_code_2(
    tmp_path: Path,
    case: Callable[[Path], tuple[Path, Callable[[], None] | None]],
    reason: str,
) -> None:
    data_dir, limit = case(tmp_path)
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=PROJECT_ROOT,
        env=_env(data_dir, free_port()),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"embedded store at {data_dir / 'bot.sqlite3'}" in errors[0]
    assert reason in errors[0]


async def test_healthz_says_503_when_the_disk_is_full(
    tmp_path: Path, connector: FakeConnector
) -> None:
    """Reads still work on a full disk; the health check must write to notice."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: ASYNC220 - the bot is a process of its own
        [sys.executable, "app.py"],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path / "data", port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_file_size_limit(256 * 1024),
    )
    try:
        await wait_healthy(f"{url}/healthz", process)
        async with aiohttp.ClientSession() as session:
            for activity in a.install(connector.url):
                async with session.post(f"{url}/api/messages", json=activity) as answer:
                    assert answer.status in (200, 201)
            refused = False
            for day in range(1, 400):  # each change grows the write-ahead log to the limit
                due = f"2027-01-{day % 28 + 1:02d}" if day % 2 else f"2027-02-{day % 28 + 1:02d}"
                data = {"task": "initiate.readiness-meeting", "due": due}
                click = a.click(connector.url, "task.due", data)
                async with session.post(f"{url}/api/messages", json=click) as answer:
                    refused = REFUSAL in await answer.text()
                if refused:
                    break
            assert refused, "the disk never filled"
            # The health check's write is smaller than a click's and may still fit in what is
            # left; each one that fits takes its part of it.
            statuses = []
            async with asyncio.timeout(5):
                while 503 not in statuses and len(statuses) < 10:
                    async with session.get(f"{url}/healthz") as health:
                        statuses.append(health.status)
            assert statuses[-1] == 503, statuses
    finally:
        stop_process(process)
