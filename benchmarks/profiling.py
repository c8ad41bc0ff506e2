"""Own time per frame and per package from a pyinstrument session (whole thread sampled), and
inclusive time per function of the bot's own code."""

from __future__ import annotations

import sys
import sysconfig
from collections import defaultdict
from pathlib import Path
from typing import Any, TypeVar

from pyinstrument.frame import Frame
from pyinstrument.session import Session

from benchmarks.common import PROJECT_ROOT

K = TypeVar("K")
_SITE = "site-packages/"
_ROOT = str(PROJECT_ROOT) + "/"
_STDLIB = str(Path(sysconfig.get_paths()["stdlib"]).resolve()) + "/"
# The event loop waiting for sockets (or for the store's worker thread): not work.
IDLE_FUNCTIONS = frozenset({"epoll.poll", "select.epoll.poll", "select.select", "poll"})
# The bot's own code (the benchmark's server wrapper is not part of it).
PROJECT_DIRS = ("bot/", "cards/", "domain/", "storage/", "dialogs/")
# Where a hot frame is called from: the nearest frame of the bot or of botbuilder.
CALLER_PACKAGES = ("botbuilder", "botframework")


def _largest(times: dict[K, float], n: int = 1) -> list[tuple[K, float]]:
    return sorted(times.items(), key=lambda item: item[1], reverse=True)[:n]


def _short(path: str | None) -> str:
    if not path:
        return "?"
    if _SITE in path:
        return path.split(_SITE, 1)[1]
    if path.startswith(_ROOT):
        return path[len(_ROOT) :]
    if path.startswith(_STDLIB):
        return "stdlib/" + path[len(_STDLIB) :]
    return path


def _package(path: str | None) -> str:
    short = _short(path)
    if path and _SITE in path:
        return short.split("/", 1)[0].removesuffix(".py")
    if path and path.startswith(_ROOT):
        return f"{short.split('/', 1)[0]}/ (project)" if "/" in short else short
    if short.startswith("stdlib/"):
        return "stdlib " + short.split("/")[1].removesuffix(".py")
    return short


def _is_project(path: str | None) -> bool:
    return bool(path) and _short(path).startswith(PROJECT_DIRS) and _SITE not in (path or "")


def _is_caller(path: str | None) -> bool:
    if path and _SITE in path:
        return _short(path).startswith(CALLER_PACKAGES)
    return _is_project(path)


def summarise(session: Session, top: int = 10) -> dict[str, Any]:
    """Top frames by own (self) time with their callers, own time per package, and the bot's
    functions by inclusive time; seconds and shares of the busy (non-idle) time."""
    root = session.root_frame(trim_stem=False)
    frames: defaultdict[tuple[str, str, int], float] = defaultdict(float)
    callers: defaultdict[tuple[str, str, int], defaultdict[str, float]] = defaultdict(
        lambda: defaultdict(float)
    )
    packages: defaultdict[str, float] = defaultdict(float)
    inclusive: defaultdict[tuple[str, str], float] = defaultdict(float)
    idle = 0.0

    def walk(frame: Frame, caller: str, open_functions: frozenset[tuple[str, str]]) -> None:
        nonlocal idle
        path = frame.file_path
        if not frame.is_synthetic:
            own = frame.total_self_time
            if own > 0 and frame.function in IDLE_FUNCTIONS:
                idle += own
            elif own > 0:
                key = (frame.function, _short(path), frame.line_no or 0)
                frames[key] += own
                callers[key][caller] += own
                packages[_package(path)] += own
            if _is_project(path):
                function = (frame.function, _short(path))
                if function not in open_functions:  # recursion counts once
                    inclusive[function] += frame.time
                    open_functions = open_functions | {function}
            if _is_caller(path):
                caller = f"{frame.function} ({_short(path)}:{frame.line_no or 0})"
        for child in frame.children:
            walk(child, caller, open_functions)

    if root is not None:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
        walk(root, "event loop / aiohttp", frozenset())
    busy = sum(frames.values())

    def share(seconds: float) -> float:
        return seconds / busy if busy else 0.0

    def called_from(key: tuple[str, str, int]) -> list[dict[str, Any]]:
        total = frames[key]
        return [
            {"caller": name, "share_of_frame": t / total if total else 0.0}
            for name, t in _largest(callers[key], 2)
            if t >= 0.2 * total
        ]

    return {
        "duration_s": session.duration,
        "samples": session.sample_count,
        "busy_s": busy,
        "idle_s": idle,
        "frames": [
            {
                "function": key[0],
                "where": f"{key[1]}:{key[2]}",
                "own_s": t,
                "share": share(t),
                "callers": called_from(key),
            }
            for key, t in _largest(frames, top)
        ],
        "packages": [
            {"package": name, "own_s": t, "share": share(t)} for name, t in _largest(packages, top)
        ],
        "project": [
            {"function": f, "where": p, "inclusive_s": t, "share": share(t)}
            for (f, p), t in _largest(inclusive, 2 * top + 5)
        ],
    }
