"""Runs every section in order, prints the table, writes docs/benchmarks.md.

Order: the bot on the embedded store (latency, cost per click, echo and click throughput,
profile), the storage floor on both backends, the bot on the Cosmos DB server, memory,
start-up, nudge fan-out (embedded, then Cosmos DB when the time budget allows).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from benchmarks import report
from benchmarks.appprocess import MemoryRun, StartupRun, measure_memory, measure_startup
from benchmarks.client import BotServer, Http, new_session
from benchmarks.common import (
    PROJECT_ROOT,
    changed_sources,
    fmt_ms,
    percentile,
    progress,
    source_snapshot,
)
from benchmarks.floor import (
    PAIR,
    FloorRun,
    PairSource,
    cosmos_pairs,
    embedded_pairs,
    measure_floor,
)
from benchmarks.nudges import NudgeRun, nudge_fanout, queries_bound
from benchmarks.report import INFO, Machine, Row, verdict
from benchmarks.turns import (
    DONE,
    ECHO_INVOKE,
    ECHO_MESSAGE,
    ECHO_SMALL,
    REOPEN,
    STATUS,
    STORAGE_PAIR,
    UNSUPPORTED,
    ClickCost,
    ClickLoad,
    FloorInRounds,
    LatencyRun,
    Load,
    click_load,
    echo_load,
    measure_click_cost,
    measure_latency,
    profile_clicks,
    verify,
)
from bot.ratelimit import DEFAULT_MARGIN_S, TENANT_PER_SECOND
from domain.engagement import EngagementKey
from storage.base import DocumentStore
from storage.cosmos import CosmosStore
from storage.embedded import EmbeddedStore
from testkit import (
    CONTAINER,
    CosmosServer,
    CosmosServerError,
    FakeConnector,
    WireCounter,
    free_port,
    json_size,
)
from testkit import activities as a

T = TypeVar("T")
DOCS = PROJECT_ROOT / "docs" / "benchmarks.md"
# The whole run should stay under 10 minutes; the optional Cosmos DB nudge run is skipped
# when it would likely end past this.
BUDGET_S = 540.0
BACKENDS = ("embedded", "cosmos")
LABEL = {"embedded": "embedded", "cosmos": "Cosmos DB"}

# Targets (from the issue): ratios of figures measured side by side in this run.
DONE_VS_FLOOR = 1.2
CLICKS_VS_ECHO = 0.5
CLICKS_VS_PAIR = 0.7
RSS_LIMIT_MIB = 200.0
STARTUP_LIMIT_S = 3.0
NUDGE_SHARE = 0.9
NUDGE_READS_PER_DUE = 3.0


@dataclass(frozen=True)
class Sizes:
    turns: int = 1000
    warmup: int = 50
    cost_clicks: int = 400
    clients: int = 32
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


QUICK = Sizes(
    turns=100,
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
)


@dataclass
class BotRun:
    latency: LatencyRun | None = None
    cost: ClickCost | None = None
    echo: Load | None = None
    clicks: ClickLoad | None = None
    solo: ClickLoad | None = None
    profile: dict[str, Any] | None = None
    body: dict[str, Any] | None = None


@dataclass
class Results:
    sizes: Sizes
    bots: dict[str, BotRun] = field(default_factory=dict)
    floors: dict[str, FloorRun] = field(default_factory=dict)
    memory: MemoryRun | None = None
    startup: dict[str, StartupRun] = field(default_factory=dict)
    nudges: dict[str, NudgeRun] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    # Source files of the bot that changed while the run was going (figures may then mix
    # versions of the code).
    changed: list[str] = field(default_factory=list)


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


async def bot_run(
    results: Results,
    run: BotRun,
    backend: str,
    http: Http,
    service_url: str,
    tmp: Path,
    server_options: dict[str, str],
    store_factory: Callable[[], DocumentStore],
    pairs: PairSource,
) -> None:
    """Latency (with the storage pair in its rounds), cost per click, throughput (and on the
    embedded store: echo throughput and the profile) against one server process; fills `run`
    as it goes."""
    sizes = results.sizes
    server = await BotServer.start(backend, tmp / f"server-{backend}.log", **server_options)
    try:
        run.latency = await section(
            results,
            f"latency ({backend})",
            measure_latency(
                server,
                http,
                service_url,
                sizes.turns,
                sizes.warmup,
                backend,
                floor=floor_in_rounds(store_factory, pairs),
            ),
        )
        if run.latency is not None:
            run.cost = await section(
                results,
                f"cost per click ({backend})",
                measure_click_cost(
                    server, http, service_url, run.latency.conversation, sizes.cost_clicks
                ),
            )
        if backend == "embedded":
            run.echo = await section(
                results,
                "echo throughput (embedded)",
                echo_load(
                    server, http, service_url, clients=sizes.clients, seconds=sizes.echo_seconds
                ),
            )
        run.clicks = await section(
            results,
            f"click throughput ({backend})",
            click_load(
                server,
                http,
                service_url,
                clients=sizes.clients,
                engagements=sizes.click_engagements,
                seconds=sizes.click_seconds,
                prefix=f"a:bench-load-{backend}",
            ),
        )
        run.solo = await section(
            results,
            f"click throughput, own engagements ({backend})",
            click_load(
                server,
                http,
                service_url,
                clients=sizes.clients,
                engagements=sizes.clients,
                seconds=sizes.solo_seconds,
                prefix=f"a:bench-solo-{backend}",
            ),
        )
        store = store_factory()
        await store.open()
        try:
            if run.clicks is not None:
                await section(results, f"lost-update check ({backend})", verify(run.clicks, store))
            if run.solo is not None:
                await verify(run.solo, store)
            if run.latency is not None:
                engagement_id = EngagementKey(a.TENANT, run.latency.conversation).id
                doc = await store.read(engagement_id, "engagement")
                run.body = doc.body if doc else None
        finally:
            await store.close()
        if backend == "embedded":
            run.profile = await section(
                results,
                "profile (embedded)",
                profile_clicks(
                    server, http, service_url, clients=sizes.clients, seconds=sizes.profile_seconds
                ),
            )
    finally:
        server.stop()


def floor_in_rounds(store_factory: Callable[[], DocumentStore], pairs: PairSource) -> FloorInRounds:
    """The storage pair for the latency rounds, on a copy of the clicks' engagement document
    as the warm-up left it (read through a store object of this process)."""

    @asynccontextmanager
    async def floor(conversation: str) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        store = store_factory()
        await store.open()
        try:
            doc = await store.read(EngagementKey(a.TENANT, conversation).id, "engagement")
        finally:
            await store.close()
        if doc is None:
            raise RuntimeError("the warm-up clicks left no engagement document")
        async with pairs(doc.body, 1) as pair:
            yield lambda: pair(0)

    return floor


async def run_all(sizes: Sizes, write_docs: bool) -> int:
    started = time.perf_counter()
    machine = Machine.here()
    results = Results(sizes)
    sources = source_snapshot()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        cosmos = CosmosServer(port=free_port(), log_dir=tmp)
        progress(f"starting the Cosmos DB server on {cosmos.endpoint}")
        try:
            cosmos.start()
        except CosmosServerError as error:
            progress(f"cannot start the Cosmos DB server (run `make setup`): {error}")
            return 2
        connector = FakeConnector()
        await connector.start()
        try:
            async with new_session() as session:
                await _sections(results, cosmos, connector, Http(session), connector.url, tmp)
        finally:
            await connector.stop()
            cosmos.stop()
    elapsed = time.perf_counter() - started
    results.changed = changed_sources(sources, source_snapshot())
    if results.changed:
        progress(
            "WARNING: bot source files changed during the run; figures may mix versions: "
            + ", ".join(results.changed)
        )
    rows = build_rows(results)
    print(report.table(rows), flush=True)
    if write_docs:
        DOCS.write_text(
            report.document(
                machine,
                rows,
                elapsed_s=elapsed,
                method=method_text(sizes),
                details=details_text(results),
                profile=results.bots.get("embedded", BotRun()).profile,
            )
        )
        progress(f"wrote {DOCS.relative_to(PROJECT_ROOT)}")
    progress(f"done in {elapsed / 60:.1f} min")
    return 1 if results.errors else 0


async def _sections(
    results: Results,
    cosmos: CosmosServer,
    connector: FakeConnector,
    http: Http,
    service_url: str,
    tmp: Path,
) -> None:
    sizes = results.sizes
    started = time.perf_counter()
    pair_sources = {
        "embedded": embedded_pairs(tmp / "floor"),
        "cosmos": cosmos_pairs(cosmos.endpoint, cosmos.key),
    }
    data_dir = tmp / "bot-embedded"
    results.bots["embedded"] = BotRun()
    await section(
        results,
        "bot server (embedded), all sections",
        bot_run(
            results,
            results.bots["embedded"],
            "embedded",
            http,
            service_url,
            tmp,
            {"data_dir": str(data_dir)},
            lambda: EmbeddedStore(data_dir),
            pair_sources["embedded"],
        ),
    )
    connector.calls.clear()

    # The floor reads and writes the engagement document the Done clicks just worked on.
    body = results.bots["embedded"].body
    if body is not None:
        for backend in BACKENDS:
            floor = await section(
                results,
                f"storage floor ({backend})",
                measure_floor(
                    pair_sources[backend],
                    body,
                    turns=sizes.turns,
                    warmup=sizes.warmup,
                    clients=sizes.clients,
                    seconds=sizes.floor_seconds,
                ),
            )
            if floor is not None:
                results.floors[backend] = floor

    database = f"bench-bot-{uuid.uuid4().hex[:8]}"
    results.bots["cosmos"] = BotRun()
    await section(
        results,
        "bot server (cosmos), all sections",
        bot_run(
            results,
            results.bots["cosmos"],
            "cosmos",
            http,
            service_url,
            tmp,
            {"endpoint": cosmos.endpoint, "key": cosmos.key, "database": database},
            lambda: CosmosStore(cosmos.endpoint, cosmos.key, database, CONTAINER),
            pair_sources["cosmos"],
        ),
    )
    connector.calls.clear()

    results.memory = await section(
        results,
        "memory (embedded)",
        measure_memory(
            http,
            tmp,
            service_url,
            engagements=sizes.memory_engagements,
            touched=sizes.memory_touched,
        ),
    )
    connector.calls.clear()
    startup_embedded = await section(
        results, "start-up (embedded)", measure_startup(http.session, tmp, sizes.startup_runs)
    )
    if startup_embedded is not None:
        results.startup["embedded"] = startup_embedded
    target = {"endpoint": cosmos.endpoint, "key": cosmos.key, "database": "bench-startup"}
    startup_cosmos = await section(
        results,
        "start-up (cosmos)",
        measure_startup(http.session, tmp, sizes.startup_runs, target),
    )
    if startup_cosmos is not None:
        results.startup["cosmos"] = startup_cosmos

    nudges = await section(
        results,
        "nudge fan-out (embedded)",
        nudge_fanout(EmbeddedStore(tmp / "nudges"), engagements=sizes.nudge_engagements),
    )
    if nudges is not None:
        results.nudges["embedded"] = nudges
    # The Cosmos DB run costs about what the embedded one did, plus seeding over HTTP.
    estimate = 1.5 * results.seconds.get("nudge fan-out (embedded)", 60.0)
    spent = time.perf_counter() - started
    if spent + estimate > BUDGET_S:
        results.skipped["nudges cosmos"] = (
            f"skipped: {spent:.0f} s spent, about {estimate:.0f} s more would pass the "
            f"{BUDGET_S:.0f} s budget"
        )
        progress(f"nudge fan-out (cosmos) {results.skipped['nudges cosmos']}")
        return
    wire = WireCounter()
    nudge_store = CosmosStore(
        cosmos.endpoint,
        cosmos.key,
        f"bench-nudges-{uuid.uuid4().hex[:8]}",
        CONTAINER,
        **wire.options(),
    )
    nudges = await section(
        results,
        "nudge fan-out (cosmos)",
        nudge_fanout(nudge_store, engagements=sizes.nudge_engagements, wire=wire),
    )
    if nudges is not None:
        results.nudges["cosmos"] = nudges


# Rows -----------------------------------------------------------------------------------------


def _p(latency: LatencyRun, kind: str) -> str:
    lat = latency.latencies
    return (
        f"p50 {fmt_ms(lat.p50_ms(kind))} / p99 {fmt_ms(lat.p99_ms(kind))} ms (n={lat.count(kind)})"
    )


def _missing(results: Results, name: str) -> str:
    error = results.errors.get(name)
    return f"not measured ({error})" if error else "not measured"


def build_rows(results: Results) -> list[Row]:
    rows: list[Row] = []
    for backend in BACKENDS:
        rows += _latency_rows(results, backend)
    for backend in BACKENDS:
        rows += _floor_rows(results, backend)
    for backend in BACKENDS:
        rows += _throughput_rows(results, backend)
    for backend in BACKENDS:
        rows += _cost_rows(results, backend)
    rows += _memory_rows(results)
    for backend in BACKENDS:
        rows += _startup_rows(results, backend)
    for backend in BACKENDS:
        rows += _nudge_rows(results, backend)
    return rows


def _latency_rows(results: Results, backend: str) -> list[Row]:
    label = LABEL[backend]
    latency = results.bots.get(backend, BotRun()).latency
    if latency is None:
        return [Row("1", "turn latency", label, _missing(results, f"latency ({backend})"))]
    rows = [
        Row("1", "echo turn: message, one text reply (floor)", label, _p(latency, ECHO_MESSAGE)),
        Row(
            "1",
            "echo turn: card invoke, fixed click-sized card (floor)",
            label,
            _p(latency, ECHO_INVOKE),
        ),
        Row("1", "echo turn: card invoke, three-line card", label, _p(latency, ECHO_SMALL)),
        Row("1", "real bot: unsupported invoke, 400 (no store)", label, _p(latency, UNSUPPORTED)),
        Row("1", "`status` message", label, _p(latency, STATUS)),
    ]
    done = latency.latencies.p50_ms(DONE)
    echo = latency.latencies.p50_ms(ECHO_INVOKE)
    if latency.latencies.count(STORAGE_PAIR) == 0:
        rows.append(Row("1", "`Done` click", label, _p(latency, DONE), "needs the storage pair"))
    else:
        pair = latency.latencies.p50_ms(STORAGE_PAIR)
        limit = echo + DONE_VS_FLOOR * pair
        rows.append(
            Row(
                "1",
                "`Done` click",
                label,
                _p(latency, DONE),
                f"p50 ≤ echo invoke p50 + 1.2 × pair p50 = {fmt_ms(echo)} + 1.2 × "
                f"{fmt_ms(pair)} = {fmt_ms(limit)} ms",
                verdict(done <= limit),
            )
        )
    rows.append(Row("1", "`Reopen` click (alternating with Done)", label, _p(latency, REOPEN)))
    rows += _inside_rows(latency, label)
    if latency.unexpected:
        rows.append(
            Row("1", "unexpected answers", label, str(dict(latency.unexpected)), "0", report.FAIL)
        )
    return rows


def _inside_rows(latency: LatencyRun, label: str) -> list[Row]:
    """The same turns timed in the server (benchmarks/timing.py): how a click's handler time
    splits into what the echo turn also does, the store calls, and the bot's own work."""
    echo, rows = latency.inside.get(ECHO_INVOKE), []
    if echo is None:
        return rows
    handler = f"p50 {fmt_ms(echo['handler_ms'])} ms"
    rows.append(Row("1", "in the server: echo invoke handler", label, handler))
    for kind, name in ((DONE, "`Done`"), (REOPEN, "`Reopen`")):
        click = latency.inside.get(kind)
        if click is None:
            continue
        own = click["own_ms"] - echo["handler_ms"]
        rows.append(
            Row(
                "1",
                f"in the server: {name} click handler = echo's + store calls + the bot's work",
                label,
                f"p50 {fmt_ms(click['handler_ms'])} ≈ {fmt_ms(echo['handler_ms'])} + "
                f"{fmt_ms(click['store_ms'])} + {fmt_ms(own)} ms",
            )
        )
    return rows


def _floor_rows(results: Results, backend: str) -> list[Row]:
    label = LABEL[backend]
    what = "raw SDK read_item + replace_item" if backend == "cosmos" else "read + replace"
    rows: list[Row] = []
    latency = results.bots.get(backend, BotRun()).latency
    if latency is not None and latency.latencies.count(STORAGE_PAIR):
        rows.append(
            Row(
                "2",
                f"storage pair: {what}, in the latency rounds",
                label,
                _p(latency, STORAGE_PAIR),
            )
        )
    floor = results.floors.get(backend)
    if floor is None:
        missing = _missing(results, f"storage floor ({backend})")
        return [*rows, Row("2", f"storage pair: {what}, back to back", label, missing)]
    lat = floor.latencies
    rows.append(
        Row(
            "2",
            f"storage pair: {what}, back to back",
            label,
            f"p50 {fmt_ms(lat.p50_ms(PAIR))} / p99 {fmt_ms(lat.p99_ms(PAIR))} ms "
            f"(n={lat.count(PAIR)})",
        )
    )
    return rows


def _throughput_rows(results: Results, backend: str) -> list[Row]:
    sizes, label = results.sizes, LABEL[backend]
    run = results.bots.get(backend, BotRun())
    rows: list[Row] = []
    clients = f"{sizes.clients} clients"
    floor = results.floors.get(backend)
    if backend == "embedded" and run.echo is not None:
        rows.append(
            Row(
                "3",
                f"echo invokes/s ({clients}, {sizes.echo_seconds:g} s)",
                label,
                f"{run.echo.per_second:.0f}/s ({run.echo.errors} errors)",
            )
        )
    if floor is not None:
        rows.append(
            Row(
                "3",
                f"storage pairs/s ({clients}, {sizes.floor_seconds:g} s)",
                label,
                f"{floor.load.per_second:.0f}/s",
            )
        )
    clicks = run.clicks
    if clicks is None:
        rows.append(
            Row("3", "`Done` clicks/s", label, _missing(results, f"click throughput ({backend})"))
        )
        return rows
    rate = clicks.load.per_second
    measure = f"`Done` clicks/s, 2 clients per engagement ({clients}, {sizes.click_seconds:g} s)"
    baseline: tuple[float, str, float] | None = None
    if backend == "embedded" and run.echo is not None:
        baseline = (run.echo.per_second, "echo invokes/s", CLICKS_VS_ECHO)
    elif backend == "cosmos" and floor is not None:
        baseline = (floor.load.per_second, "storage pairs/s", CLICKS_VS_PAIR)
    if baseline is None:
        rows.append(Row("3", measure, label, f"{rate:.0f}/s", "baseline not measured", report.FAIL))
    else:
        base, name, share = baseline
        rows.append(
            Row(
                "3",
                measure,
                label,
                f"{rate:.0f}/s = {100 * rate / base:.0f} % of {name}",
                f"≥ {100 * share:.0f} % of {name} = {share * base:.0f}/s",
                verdict(rate >= share * base),
            )
        )
    rows.append(
        Row(
            "3",
            "errors (2 clients per engagement)",
            label,
            str(clicks.load.errors),
            "0",
            verdict(clicks.load.errors == 0),
        )
    )
    if clicks.lost is None:
        rows.append(
            Row(
                "3",
                "lost updates",
                label,
                _missing(results, f"lost-update check ({backend})"),
                "0",
                report.FAIL,
            )
        )
    else:
        confirmed = sum(len(c) for c in clicks.confirmed.values())
        rows.append(
            Row(
                "3",
                "lost updates (2 clients per engagement)",
                label,
                f"{clicks.lost} of {confirmed} "
                f"(audit entries − confirmed: {clicks.audit_difference})",
                "0",
                verdict(clicks.lost == 0 and clicks.audit_difference == 0),
            )
        )
    cpu = [
        f"{name} {fmt_ms(ms)} ms"
        for name, load in (("echo invoke", run.echo), ("`Done` click", clicks.load))
        if load is not None and (ms := load.server_cpu_ms_per_ok) is not None
    ]
    if cpu:
        rows.append(
            Row("3", "bot server CPU per answered request, under load", label, "; ".join(cpu))
        )
    solo = run.solo
    if solo is not None:
        solo_rate = solo.load.per_second
        ratio = f" = {100 * solo_rate / baseline[0]:.0f} % of {baseline[1]}" if baseline else ""
        rows.append(
            Row(
                "3",
                f"`Done` clicks/s, one client per engagement ({clients}, {sizes.solo_seconds:g} s)",
                label,
                f"{solo_rate:.0f}/s{ratio}; {solo.load.errors} errors, {solo.lost} lost",
            )
        )
    return rows


def _cost_rows(results: Results, backend: str) -> list[Row]:
    label = LABEL[backend]
    cost = results.bots.get(backend, BotRun()).cost
    if cost is None:
        return [Row("4", "per click", label, _missing(results, f"cost per click ({backend})"))]
    store = cost.store
    calls = ", ".join(f"{op} {cost.per_click(n):.2f}" for op, n in sorted(store["calls"].items()))
    rows = [
        Row(
            "4",
            "store round trips per click",
            label,
            f"{cost.per_click(store['round_trips']):.2f} ({calls})",
        ),
        Row(
            "4",
            "document JSON read / written per click",
            label,
            f"{cost.per_click(store['bytes_read']) / 1024:.1f} KiB / "
            f"{cost.per_click(store['bytes_written']) / 1024:.1f} KiB",
        ),
    ]
    wire = cost.wire
    if backend == "cosmos" and wire["requests"]:
        rows.append(
            Row(
                "4",
                "HTTP requests; body bytes received / sent per click",
                label,
                f"{cost.per_click(wire['requests']):.2f}; "
                f"{cost.per_click(wire['bytes_received']) / 1024:.1f} KiB / "
                f"{cost.per_click(wire['bytes_sent']) / 1024:.1f} KiB",
            )
        )
    return rows


def _memory_rows(results: Results) -> list[Row]:
    memory = results.memory
    if memory is None:
        return [
            Row(
                "5",
                "RSS",
                "embedded",
                _missing(results, "memory (embedded)"),
                "≤ 200 MiB",
                report.FAIL,
            )
        ]
    return [
        Row(
            "5",
            f"RSS of app.py: {memory.engagements:,} engagements stored, {memory.touched:,} touched",
            "embedded",
            f"{memory.rss_mib:.0f} MiB (idle at start {memory.rss_idle_mib:.0f} MiB; "
            f"{memory.errors} errors)",
            f"≤ {RSS_LIMIT_MIB:.0f} MiB",
            verdict(memory.rss_mib <= RSS_LIMIT_MIB and memory.errors == 0),
        )
    ]


def _startup_rows(results: Results, backend: str) -> list[Row]:
    label = LABEL[backend]
    startup = results.startup.get(backend)
    if startup is None:
        return [
            Row(
                "6",
                "start-up",
                label,
                _missing(results, f"start-up ({backend})"),
                "≤ 3 s",
                report.FAIL,
            )
        ]
    runs = ", ".join(f"{s:.2f}" for s in startup.seconds)
    return [
        Row(
            "6",
            f"start-up: launch to healthy /healthz (median of {len(startup.seconds)})",
            label,
            f"{startup.median:.2f} s ({runs})",
            f"≤ {STARTUP_LIMIT_S:g} s",
            verdict(startup.median <= STARTUP_LIMIT_S),
        )
    ]


def _nudge_rows(results: Results, backend: str) -> list[Row]:
    label = LABEL[backend]
    run = results.nudges.get(backend)
    if run is None:
        skipped = results.skipped.get(f"nudges {backend}")
        value = skipped or _missing(results, f"nudge fan-out ({backend})")
        return [Row("7", "nudge fan-out", label, value, result=INFO if skipped else report.FAIL)]
    limit = TENANT_PER_SECOND
    store = run.store
    queries = store["calls"].get("list_due", 0)
    point_reads = store["calls"].get("read", 0)
    reads = store["docs_read"]
    reads_ok = queries <= queries_bound(run.due) and reads <= NUDGE_READS_PER_DUE * run.due
    rows = [
        Row(
            "7",
            f"nudge sends/s: {run.engagements:,} engagements, {run.due:,} due, one tenant",
            label,
            f"{run.per_second:.1f}/s = {100 * run.share_of_limit:.0f} % of {limit}/s "
            f"(steady {run.steady_per_second:.1f}/s; {run.sent:,} sent, {run.failed} failed)",
            f"≥ {100 * NUDGE_SHARE:.0f} % of {limit}/s",
            verdict(run.share_of_limit >= NUDGE_SHARE and run.sent == run.due),
        ),
        Row(
            "7",
            "429s answered by the connector",
            label,
            str(run.throttled),
            "0",
            verdict(run.throttled == 0),
        ),
        Row("7", "sweep wall time", label, f"{run.seconds:.1f} s"),
        Row(
            "7",
            "limiter grant → request at the connector",
            label,
            f"p50 {1000 * percentile(run.delays, 50):.0f} / p99 "
            f"{1000 * percentile(run.delays, 99):.0f} ms (n={len(run.delays):,}; "
            f"limiter margin {1000 * DEFAULT_MARGIN_S:.0f} ms)",
        ),
        Row(
            "7",
            "store queries; documents read",
            label,
            f"{queries} queries; {reads:,} docs ({store['query_docs_read']:,} from queries + "
            f"{point_reads:,} point reads) = {reads / run.due:.1f} per due engagement",
            f"≤ {queries_bound(run.due)} queries, ≤ {NUDGE_READS_PER_DUE:g} docs per due",
            verdict(reads_ok),
        ),
    ]
    return rows


# Text -------------------------------------------------------------------------------------------


def method_text(sizes: Sizes) -> str:
    return f"""\
Processes: this benchmark (the load generator, a fake Bot Connector, the storage floor and the
nudge run), the bot server (`benchmarks/server.py`: the real `bot.web.create_app` app and the
echo app on loopback ports, plus a control port for counters and the profiler), and the Cosmos
DB protocol server (`scripts/cosmos-server.js`, Node.js). All on this machine's cores, so every
figure includes the client's and the other processes' share of the CPU; targets compare
figures taken in the same run under the same conditions.

1. **Turn latency**: {sizes.turns:,} turns of each kind (after {sizes.warmup} warm-up rounds),
   sent one at a time over HTTP (keep-alive) and interleaved round by round (echo message, echo
   invoke, three-line echo invoke, `status`, Done, Reopen, the storage pair; the unsupported
   invoke every fifth round), so noise on the shared machine hits every kind alike. Each round
   plays them in a new random order (seeded), so no kind always follows the same turn: a turn
   right after a heavier one pays for the caches that one cooled (with a fixed order, Done
   always came right after `status` and took 0.3–0.4 ms longer than Reopen, which came right
   after Done). Client-side time from sending the request to having the whole answer. Clicks
   are `adaptiveCard/action` invokes in a personal chat (so no shared-card update goes to the
   connector), each with a new activity id; a round's first click marks a general-track task
   Done and its second reopens it, so every click is a real change and no phase completes (no
   announcement). The engagement document stays at its steady-state size (20-entry audit
   tail, archived every 20 changes; 64 remembered ids).
   - **In the server**, the same measured turns are timed by a middleware outside the bot's
     own (`benchmarks/timing.py`): the handler's time (from the parsed request to the
     response ready to write) and, of it, the time awaiting store calls. A click's handler is
     shown as the echo invoke's handler (what the echo turn also does: adapter, activity,
     answer, turn log) + the click's store calls + the rest, the bot's own work (the action,
     the rules, the engagement's stored form, the card), each a p50, so they add up only
     roughly.
   - **The echo floor** is a separate minimal app in the same server process
     (`benchmarks/echo.py`): the same aiohttp stack, `turn_logging` middleware, access log,
     `OnboardingAdapter` with the same authentication configuration and error handler, around
     a bot that does no store work. Its message turn sends one text reply through the Bot
     Connector (as `status` sends its card); its invoke answers a fixed card of the size and
     shape a Done click answers (the general track's first page, rendered once when the app
     starts), so the floor carries the answer's bytes but none of the bot's work. A second
     echo invoke answering a three-line card shows what the answer's size alone costs. The
     real bot has no store-free message turn
     (every message reads the engagement), so a minimal app is the only clean floor for
     messages; for invokes the real bot's own store-free path (an unsupported invoke name,
     answered 400) is measured too, as a check that the echo app costs what the real app's
     plumbing costs.
   - The Done target uses the click-sized echo **invoke** p50 (a click is an invoke); so does
     the echo throughput.
2. **Storage floor**: the engagement document the Done clicks worked on, read and written
   back with an etag check: on SQLite through `EmbeddedStore.read` + `replace` (its API is a
   thin layer over `sqlite3`), on Cosmos DB with the raw `azure.cosmos.aio` SDK
   (`read_item` + `replace_item(etag, IfNotModified, no_response=True)`, the requests
   `CosmosStore` sends), against the same server, from this process. Measured twice:
   - **in the latency rounds** (the Done target's floor): after the warm-up, a copy of the
     clicks' engagement document goes into a floor store, and every measured round has one
     pair on it, at a random place in the round, timed like the turns. So the pair meets the
     machine in the state a click meets it. On this 2-vCPU VM a process that has been idle
     for a few milliseconds takes a few hundred microseconds to wake, and a click wakes the
     Cosmos DB server once per request (and meets caches other turns cooled); a tight loop
     keeps them awake and warm.
   - **back to back** in a section of its own (shown for comparison), and with
     {sizes.clients} workers on their own documents for {sizes.floor_seconds:g} s for
     throughput.
3. **Throughput**: closed loop, {sizes.clients} clients each sending the next click as soon as
   the previous is answered, for {sizes.click_seconds:g} s. Two clients share each of
   {sizes.click_engagements} engagements (personal chats), each on its own half of the general
   tasks, so their writes race on the same document and etag (a lost race is retried on
   fresh state by the repository; the conflicts per click are under Details). A change
   counts when the bot answers 200 with the card; an error is anything else. Afterwards a new store
   object reads every engagement: a lost update is a task whose stored status is not the last
   confirmed one, or a confirmed click with no audit entry; the audit entries must equal the
   confirmed changes in number. For comparison, the same with one client per engagement
   ({sizes.solo_seconds:g} s, no races). Echo throughput: the echo invoke, same clients,
   {sizes.echo_seconds:g} s. The bot server's CPU per answered request is its process's user
   + system time (`/proc/<pid>/stat`, all threads) over the run, divided by the answers.
4. **Per click**: {sizes.cost_clicks} sequential clicks on the steady-state engagement, counted
   in the server by a `DocumentStore` proxy (calls, and the JSON size of the bodies read and
   written) and, on Cosmos DB, by azure-core's `raw_request_hook`/`raw_response_hook`
   (requests on the wire and their body bytes; headers not included).
5. **Memory**: {sizes.memory_engagements:,} engagements written into a new SQLite file through
   the repository (by this process), then `python app.py` started on it (a fresh interpreter
   that never held them), {sizes.memory_touched:,} of them clicked Done once over HTTP (8 at a
   time), then the app's `VmRSS` from `/proc/<pid>/status`.
6. **Start-up**: `python app.py` with a new `BOT_DATA_DIR` (or a new Cosmos DB database, which
   the app creates), `NUDGES_ENABLED=false`; seconds from `Popen` to the first 200 from
   `GET /healthz` (polled every 5 ms); median of {sizes.startup_runs}.
7. **Nudge fan-out**: {sizes.nudge_engagements:,} channel engagements in one tenant, seeded
   through the repository: 1 in 5 due (default schedule, Monday 09:00 UTC slot, run at 09:05),
   2 in 5 with reminders stopped (no `nextNudgeAt`), 2 in 5 already nudged for that slot
   (`nextNudgeAt` tomorrow, so indexed but not due). One `Nudger.run(now)` with the app's
   `Outbound` and `RateLimiter`, against `FakeConnector(limits=True)` (Teams' documented limits:
   7/1 s, 8/2 s, 60/30 s, 1,800/h per conversation; {TENANT_PER_SECOND}/s per tenant; 429 with
   Retry-After beyond them) running in this process. Sends/s is sends over the sweep's wall
   time; "steady" is first to last accepted send. Store figures from the counting proxy.
   The grant → connector delay is the time from `RateLimiter.acquire` returning (a subclass
   notes it) to the fake connector receiving that request: what the limiter has to allow for
   so that requests granted at most 50 in a second do not arrive more bunched than that.
"""


def details_text(results: Results) -> str:
    lines: list[str] = []
    body = results.bots.get("embedded", BotRun()).body
    if body is not None:
        lines.append(
            f"- Document of the storage floor: the Done clicks' engagement as the latency run "
            f"left it, {json_size(body) / 1024:.1f} KiB of JSON (its audit tail grows to 20 "
            f"entries and is then archived, so the clicks' copy varies; the per-click figures "
            f"give the average read)."
        )
    for backend in BACKENDS:
        clicks = results.bots.get(backend, BotRun()).clicks
        if clicks is None or not clicks.load.ok:
            continue
        store = clicks.counters.get("store", {})
        ok = clicks.load.ok
        lines.append(
            f"- Under load ({LABEL[backend]}, {results.sizes.clients} clients): click latency "
            f"p50 {fmt_ms(clicks.load.p50_ms)} / p99 {fmt_ms(clicks.load.p99_ms)} ms; "
            f"{store.get('round_trips', 0) / ok:.2f} store round trips and "
            f"{store.get('conflicts', 0) / ok:.2f} etag conflicts (retried) per confirmed click."
        )
        wire = clicks.counters.get("wire", {})
        if wire.get("requests"):
            lines.append(f"  Cosmos DB requests per confirmed click: {wire['requests'] / ok:.2f}.")
    for backend, run in results.nudges.items():
        calls = ", ".join(f"{op} {n:,}" for op, n in sorted(run.store["calls"].items()))
        lines.append(
            f"- Nudge run ({LABEL[backend]}): {run.sent:,} sent, {run.quiet} quiet, "
            f"{run.failed} failed; {run.retries_logged} failed attempts logged by the sender "
            f"(retried); store calls: {calls}."
        )
    for name, error in results.errors.items():
        lines.append(f"- **{name} failed**: {error}")
    if results.changed:
        lines.append(
            "- **Bot source files changed while this run was going** (its processes start at "
            "different times, so figures may mix versions): " + ", ".join(results.changed)
        )
    timings = ", ".join(
        f"{name} {s:.0f} s" for name, s in results.seconds.items() if "all sections" not in name
    )
    lines.append(f"- Section times: {timings}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run with small sizes (figures not valid)"
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="print the table only; leave docs/ alone"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    write_docs = not args.no_docs and not args.quick
    sys.exit(asyncio.run(run_all(sizes, write_docs)))
