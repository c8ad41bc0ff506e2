"""What a run measured (one field per section), the sizes it ran at, and the runner that
turns a failing section into a line of the table instead of the end of the run."""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from benchmarks.appprocess import MemoryRun, StartupRun
from benchmarks.common import progress
from benchmarks.floor import FloorRun
from benchmarks.horizontal import HorizontalRun
from benchmarks.load import ClickLoad, Load
from benchmarks.nudges import NudgeRun
from benchmarks.own_tasks import OwnTasksRun
from benchmarks.parsing import ParseTimes
from benchmarks.reports import ReportsRun
from benchmarks.scale import ScaleRun
from benchmarks.tenants import TenantsRun
from benchmarks.turns import ClickCost, LatencyRun

T = TypeVar("T")
BACKENDS = ("embedded", "cosmos")
LABEL = {"embedded": "embedded", "cosmos": "Cosmos DB"}


@dataclass(frozen=True)
class Sizes:
    turns: int = 1000
    warmup: int = 50
    cost_clicks: int = 400
    clients: int = 32
    # Loads that a target compares run in this many alternating rounds (benchmarks/load.py,
    # `alternate`), each kind's seconds split over them.
    rounds: int = 5
    click_engagements: int = 16  # two clients per engagement document
    echo_seconds: float = 10.0
    click_seconds: float = 20.0
    solo_seconds: float = 10.0  # clicks with one client per engagement (no etag races)
    floor_seconds: float = 10.0
    profile_seconds: float = 3.0
    memory_engagements: int = 10_000
    memory_touched: int = 1_000
    startup_runs: int = 3
    nudge_engagements: int = 10_000
    report_history: int = 2_000
    report_samples: int = 30
    report_rss_runs: int = 100
    own_task_clicks: int = 200
    fleet_tenants: int = 200
    fleet_per_tenant: int = 10
    scale_engagements: int = 100_000
    scale_touched: int = 1_000
    horizontal_seconds: float = 8.0


QUICK = Sizes(
    turns=100,
    rounds=2,
    warmup=10,
    cost_clicks=100,
    echo_seconds=2.0,
    click_seconds=3.0,
    solo_seconds=2.0,
    floor_seconds=2.0,
    profile_seconds=1.0,
    memory_engagements=1_000,
    memory_touched=100,
    startup_runs=1,
    nudge_engagements=1_000,
    report_history=200,
    report_samples=5,
    report_rss_runs=10,
    own_task_clicks=40,
    fleet_tenants=20,
    scale_engagements=5_000,
    scale_touched=100,
    horizontal_seconds=2.0,
)


@dataclass
class BotRun:
    latency: LatencyRun | None = None
    cost: ClickCost | None = None
    echo: Load | None = None
    clicks: ClickLoad | None = None
    # The storage pairs' throughput, in rounds alternating with `clicks`'.
    pairs: Load | None = None
    solo: ClickLoad | None = None
    profile: dict[str, Any] | None = None
    body: dict[str, Any] | None = None
    # Closed-loop loads of the views and of the peers' echo bots (embedded only), by kind
    # (benchmarks/turns.py: STATUS, peer_message(name), peer_invoke(name)), in rounds
    # alternating with each other and with `solo`'s.
    loads: dict[str, Load] = field(default_factory=dict)


@dataclass
class Results:
    """Everything one run measured, section by section; a section that failed or was skipped
    leaves its field empty and says why in `errors` or `skipped`."""

    sizes: Sizes
    bots: dict[str, BotRun] = field(default_factory=dict)
    floors: dict[str, FloorRun] = field(default_factory=dict)
    memory: MemoryRun | None = None
    startup: dict[str, StartupRun] = field(default_factory=dict)
    nudges: dict[str, NudgeRun] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    parse: ParseTimes | None = None
    reports: ReportsRun | None = None
    own_tasks: dict[str, OwnTasksRun] = field(default_factory=dict)
    tenants: TenantsRun | None = None
    scale: ScaleRun | None = None
    horizontal: dict[str, HorizontalRun] = field(default_factory=dict)
    # Source files of the bot that changed while the run was going (figures may then mix
    # versions of the code).
    changed: list[str] = field(default_factory=list)

    def missing(self, name: str) -> str:
        """What the table says for section `name` that gave no figures."""
        error = self.errors.get(name)
        return f"not measured ({error})" if error else "not measured"


async def section(results: Results, name: str, work: Awaitable[T]) -> T | None:
    """Runs one section; a failure is recorded (and shown in the table), not fatal."""
    progress(f"{name} ...")
    started = time.perf_counter()
    try:
        return await work
    except Exception as error:
        results.errors[name] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        traceback.print_exc(file=sys.stderr)
        return None
    finally:
        results.seconds[name] = time.perf_counter() - started
        progress(f"{name}: {results.seconds[name]:.1f} s")
