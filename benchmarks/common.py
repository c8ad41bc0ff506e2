"""Small helpers shared by the benchmark sections: percentiles, process figures, progress
output."""

from __future__ import annotations

import contextlib
import gc
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from testkit import PROJECT_ROOT

PYTHON = sys.executable


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Keeps what this process holds so far (the earlier sections' samples and results) out of
    the garbage collector's walks while the block runs: a section that runs the bot's own
    code in this process is then not charged for collections app.py would not make."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def progress(message: str) -> None:
    """Progress goes to stderr so stdout carries only the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of `samples`."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Latencies:
    """Seconds per operation, one list per kind."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, kind: str, seconds: float) -> None:
        self.samples.setdefault(kind, []).append(seconds)

    def count(self, kind: str) -> int:
        return len(self.samples.get(kind, []))

    def p50_ms(self, kind: str) -> float:
        return percentile(self.samples.get(kind, []), 50) * 1000

    def p99_ms(self, kind: str) -> float:
        return percentile(self.samples.get(kind, []), 99) * 1000


def rss_mib(pid: int | str = "self") -> float:
    """VmRSS of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fmt_ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


SOURCE_DIRS = ("bot", "cards", "domain", "storage", "dialogs")


def source_snapshot() -> dict[str, int]:
    """Modification times of the bot's source files, to tell whether the code under test
    changed while the benchmark ran (its processes start at different times)."""
    files = [PROJECT_ROOT / "app.py"]
    for name in SOURCE_DIRS:
        files += sorted((PROJECT_ROOT / name).rglob("*.py"))
        files += sorted((PROJECT_ROOT / name).rglob("*.json"))
    return {str(f.relative_to(PROJECT_ROOT)): f.stat().st_mtime_ns for f in files if f.is_file()}


def changed_sources(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(f for f in before.keys() | after.keys() if before.get(f) != after.get(f))
