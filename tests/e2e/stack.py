"""The end-to-end stack: the bot (`python app.py`, embedded store), the Microsoft 365 Agents
Playground pointed at it, and a small Node driver (driver.js) that works the Playground's page
in headless Chromium with playwright-core.

Each runs as a child process in its own process group, on free loopback ports, and is stopped
by that group's id. Every wait polls a condition (a port answers, a card shows a text); none
sleeps a fixed time.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from testkit import PROJECT_ROOT, free_port

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
PLAYGROUND_BIN = PROJECT_ROOT / "node_modules" / ".bin" / "agentsplayground"
DRIVER = Path(__file__).with_name("driver.js")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
START_TIMEOUT = 60.0


def missing_prerequisites() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not PLAYGROUND_BIN.exists():
        missing.append("node_modules/.bin/agentsplayground (npm ci)")
    if not (PROJECT_ROOT / "node_modules" / "playwright-core").is_dir():
        missing.append("node_modules/playwright-core (npm ci)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (scripts/ensure-chromium.sh)")
    return missing


def http_status(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> int | None:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return None


def http_post(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=b"{}", method="POST", headers=headers)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode(errors="replace")


def http_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


class ProcessFailed(RuntimeError):
    pass


class Child:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path, log: Path):
        self.name, self.argv, self.env, self.cwd, self.log = name, argv, env, cwd, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if not self.alive:
                raise ProcessFailed(f"{self.name} exited before {what}:\n{self.output()[-3000:]}")
            time.sleep(0.1)
        raise ProcessFailed(f"{self.name}: no {what} after {timeout}s:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        stop_group(self.proc)
        self.proc = None


def stop_group(proc: subprocess.Popen[Any] | None, grace: float = 10.0) -> None:
    """SIGTERM the process group (the process is its leader), then SIGKILL what is left."""
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)
    # Children that outlived the leader (same group) get the same end.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


class Bot:
    """`python app.py`, anonymous, on loopback: with the embedded store under `data_dir`, or
    with Cosmos DB when `store_env` names one (COSMOS_ENDPOINT, COSMOS_KEY, COSMOS_DATABASE)."""

    def __init__(self, data_dir: Path, logs: Path, store_env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.store_env = store_env or {}
        self.logs = logs
        self.port = 0
        self.child: Child | None = None
        self.starts = 0
        # Nudges only when a test asks for them (POST /api/nudges/run with this secret), so
        # no reminder turns up in the middle of another test.
        self.nudge_secret = uuid.uuid4().hex

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int | None = None) -> None:
        for attempt in range(3):
            self.port = port or free_port()
            self.starts += 1
            env = {
                **os.environ,
                "PORT": str(self.port),
                "HOST": "127.0.0.1",
                # The links in the report and export cards: to this bot, which the page loads.
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}",
                "BOT_DATA_DIR": str(self.data_dir),
                "MicrosoftAppId": "",
                "MicrosoftAppPassword": "",
                "BOT_ANONYMOUS": "true",
                "PYTHONUNBUFFERED": "1",
                "NUDGES_ENABLED": "false",
                "NUDGE_RUN_SECRET": self.nudge_secret,
            }
            for key in ("COSMOS_ENDPOINT", "COSMOS_KEY"):
                env.pop(key, None)
            env.update(self.store_env)
            self.child = Child(
                "bot",
                [sys.executable, "app.py"],
                env=env,
                cwd=PROJECT_ROOT,
                log=self.logs / f"bot-{self.starts}.log",
            )
            self.child.start()
            try:
                self.child.wait_until(
                    lambda: http_status(f"{self.url}/healthz") == 200, "answer on /healthz"
                )
                return
            except ProcessFailed:
                self.child.stop()
                # A free port taken by someone else in between: try another, unless the
                # port is fixed (a restart must come back where the Playground points).
                if (
                    port is not None
                    or attempt == 2
                    or "address already in use" not in (self.child.output().lower())
                ):
                    raise

    def stop(self) -> None:
        if self.child:
            self.child.stop()
            self.child = None

    def restart(self) -> None:
        """A real restart: the process ends, a new one opens the same data on the same port."""
        port = self.port
        self.stop()
        self.start(port)


class Playground:
    """The Agents Playground (the pinned npm package) pointed at the bot, on a free port."""

    def __init__(self, bot_url: str, workdir: Path, logs: Path) -> None:
        self.bot_url = bot_url
        self.workdir = workdir
        self.logs = logs
        self.port = 0
        self.child: Child | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self) -> None:
        wanted = free_port()
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "TEAMSAPPTESTER_BROWSER": "none",
            "M365_AGENTS_PLAYGROUND_LOGFILE": str(self.logs / "playground.log"),
        }
        self.child = Child(
            "playground",
            [
                str(PLAYGROUND_BIN),
                "-e",
                f"{self.bot_url}/api/messages",
                "-c",
                "msteams",
                "--dt",
                "-p",
                str(wanted),
            ],
            env=env,
            cwd=self.workdir,
            log=self.logs / "playground.out",
        )
        self.child.start()
        child = self.child

        def listening() -> bool:
            # It takes another port when the one asked for is taken: read which.
            match = re.search(r"Listening on (\d+)", child.output())
            if not match:
                return False
            self.port = int(match.group(1))
            return http_status(f"http://127.0.0.1:{self.port}/") == 200

        child.wait_until(listening, "page being served")

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = http_json(f"{self.url}/_internal/v1/config")["config"]
        return config

    def template(self, conversation_id: str) -> dict[str, Any]:
        """What its Custom activity dialog starts from for this conversation."""
        query = urllib.parse.urlencode({"conversationId": conversation_id})
        template: dict[str, Any] = http_json(
            f"{self.url}/_internal/v1/customActivities/template?{query}"
        )
        return template

    def stop(self) -> None:
        if self.child:
            self.child.stop()
            self.child = None


class DriverError(RuntimeError):
    pass


class Page:
    """The Playground's page, worked through driver.js (one JSON line each way per call)."""

    def __init__(self, logs: Path, artifacts: Path) -> None:
        self.logs = logs
        self.artifacts = artifacts
        self.proc: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.next_id = 0

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        stderr = (self.logs / "driver.log").open("a")
        self.proc = subprocess.Popen(
            ["node", str(DRIVER)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "CHROMIUM": CHROMIUM},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            start_new_session=True,
        )
        stderr.close()
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def call(self, cmd: str, timeout: float = 90.0, **args: Any) -> Any:
        assert self.proc is not None and self.proc.stdin is not None
        self.next_id += 1
        request_id = self.next_id
        self.proc.stdin.write(json.dumps({"id": request_id, "cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise DriverError(f"driver: no answer to {cmd} in {timeout}s") from None
            if line is None:
                raise DriverError(f"driver exited during {cmd}; see {self.logs / 'driver.log'}")
            answer = json.loads(line)
            if answer.get("id") != request_id:
                continue  # the late answer to a call that timed out
            if not answer.get("ok"):
                raise DriverError(
                    f"{cmd} {json.dumps(args, ensure_ascii=False)[:300]}: {answer.get('error')}"
                )
            return answer.get("result")

    # What the tests do, as a person at the Playground would --------------------------------

    def open(self, url: str) -> None:
        self.call("open", url=url)

    def select(self, conversation: str) -> None:
        self.call("select", name=conversation)

    def send(self, text: str, mention: str | None = None) -> None:
        self.call("send", text=text, mention=mention)

    def wait_card(
        self, *texts: str, fresh: bool = False, clicked: str | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.call(
            "wait_card", texts=list(texts), fresh=fresh, clicked=clicked
        )
        return result

    def mark_seen(self) -> None:
        """The cards shown now are not fresh: what arrives next (e.g. proactively) is."""
        self.call("mark_seen")

    def cards(self) -> list[str]:
        texts: list[str] = self.call("cards")["texts"]
        return texts

    def click(
        self, card: list[str], button: str, within: str | None = None, unfold: str | None = None
    ) -> dict[str, Any]:
        """Clicks a visible button; with `unfold`, first the toggle of that name in the same
        part (a phase card's task shows its buttons once its line's toggle is clicked)."""
        if unfold is not None:
            self.call("click", texts=card, button=unfold, within=within)
        result: dict[str, Any] = self.call("click", texts=card, button=button, within=within)
        return result

    def fill(self, card: list[str], label: str, value: str, clicked: str | None = None) -> str:
        """Types into the card's text or date input labelled `label`; returns what it shows
        then (a date picker shows the typed date in its own format)."""
        result: dict[str, str] = self.call(
            "fill", texts=card, label=label, value=value, clicked=clicked
        )
        return result["shown"]

    def choose(self, card: list[str], label: str, option: str, clicked: str | None = None) -> str:
        """Picks `option` in the card's drop-down or people picker labelled `label`."""
        result: dict[str, str] = self.call(
            "choose", texts=card, label=label, option=option, clicked=clicked
        )
        return result["shown"]

    def shown(self, card: list[str], label: str, clicked: str | None = None) -> str:
        """What the card's input labelled `label` shows."""
        result: dict[str, str] = self.call("shown", texts=card, label=label, clicked=clicked)
        return result["shown"]

    def images(self, card: list[str]) -> list[dict[str, Any]]:
        """The card's pictures as the page loaded them: src, width and height (0 if not)."""
        images: list[dict[str, Any]] = self.call("images", texts=card)["images"]
        return images

    def custom_activity(self, activity: dict[str, Any]) -> None:
        self.call("custom_activity", activity=activity)

    def frames(self, since: int = 0) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = self.call("frames", since=since)["frames"]
        return frames

    def wait_frame(
        self,
        predicate: Callable[[dict[str, Any]], bool],
        what: str,
        timeout: float = 20.0,
        since: int = 0,
    ) -> dict[str, Any]:
        """What the Playground pushed to the page (createMessage/updateMessage), polled;
        `since`: only frames after the first `since` ones (len(frames()) before an action)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for frame in self.frames(since):
                if predicate(frame):
                    return frame
            time.sleep(0.1)
        raise AssertionError(f"the Playground never showed {what}")

    def screenshot(
        self, name: str, *card: str, clicked: str | None = None, full_page: bool = False
    ) -> Path:
        file = self.artifacts / name
        self.call(
            "screenshot",
            file=str(file),
            texts=list(card) or None,
            clicked=clicked,
            fullPage=full_page,
        )
        return file

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(Exception):
            self.call("close", timeout=15)
        with contextlib.suppress(Exception):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        stop_group(self.proc)
        self.proc = None


class Stack:
    """Bot + Playground + page, started together and stopped in reverse."""

    def __init__(self, workdir: Path, name: str, store_env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.name = name
        logs = workdir / "logs"
        self.bot = Bot(workdir / "data", logs, store_env)
        self.playground: Playground | None = None
        self.page = Page(logs, ARTIFACTS)

    def start(self) -> Stack:
        try:
            self.bot.start()
            self.playground = Playground(self.bot.url, self.workdir / "playground", self.bot.logs)
            self.playground.start()
            self.page.start()
            self.page.open(self.playground.url)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for part in (self.page, self.playground, self.bot):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.stop()

    def logs_tail(self, chars: int = 4000) -> str:
        parts = []
        for log in sorted((self.workdir / "logs").glob("*")):
            with contextlib.suppress(OSError):
                parts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}")
        return "\n".join(parts)
