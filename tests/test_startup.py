"""`python app.py` against a Cosmos DB it cannot use: one clear line and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testkit import EMULATOR_KEY, PROJECT_ROOT, free_port


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (EMULATOR_KEY, "error: Cannot reach Cosmos DB at"),
        ("not-a-key", "error: The Cosmos DB key for"),
    ],
    ids=["wrong-endpoint", "malformed-key"],
)
def test_start_up_fails_with_one_line(tmp_path: Path, key: str, expected: str) -> None:
    env = {
        **os.environ,
        "COSMOS_ENDPOINT": f"https://127.0.0.1:{free_port()}/",  # nobody listens there
        "COSMOS_KEY": key,
        "PORT": str(free_port()),
        "BOT_DATA_DIR": str(tmp_path),
        "NUDGES_ENABLED": "false",
        "BOT_ANONYMOUS": "true",
    }
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(expected)
    assert "Traceback" not in result.stderr


def test_logging_keeps_turn_lines_and_drops_the_sdks_per_request_lines() -> None:
    """The app's logging: our INFO lines are written, the Azure SDK's INFO lines (one per
    HTTP request, with headers) are not; its warnings are."""
    script = (
        "import logging\n"
        "from bot.config import configure_logging\n"
        "configure_logging()\n"
        "logging.getLogger('bot.web').info('turn line')\n"
        "logging.getLogger('azure.core.pipeline.policies.http_logging_policy').info('request')\n"
        "logging.getLogger('azure.cosmos').warning('sdk warning')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert "turn line" in result.stderr
    assert "sdk warning" in result.stderr
    assert "request" not in result.stderr.replace("turn line", "")
