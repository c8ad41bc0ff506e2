"""The table's rows for the turns: latency (with the time in the server and activity parsing),
the storage floor, and the cost per click; `build_rows` puts every section's rows in order."""

from __future__ import annotations

from benchmarks import report
from benchmarks.common import fmt_ms
from benchmarks.floor import PAIR
from benchmarks.parsing import CLICK, MESSAGE
from benchmarks.report import Row
from benchmarks.results import BACKENDS, LABEL, BotRun, Results
from benchmarks.rows_fleet import fleet_rows
from benchmarks.rows_load import memory_rows, nudge_rows, startup_rows, throughput_rows
from benchmarks.rows_own_tasks import own_tasks_rows
from benchmarks.rows_reports import reports_rows
from benchmarks.rows_views import peer_rows, view_rows
from benchmarks.turns import (
    DONE,
    ECHO_INVOKE,
    ECHO_MESSAGE,
    ECHO_SMALL,
    REOPEN,
    STORAGE_PAIR,
    UNSUPPORTED,
    LatencyRun,
)


def build_rows(results: Results) -> list[Row]:
    """The table's rows, section by section, each backend's after the other."""
    rows: list[Row] = []
    for backend in BACKENDS:
        rows += _latency_rows(results, backend)
        if backend == "embedded":  # next to the Done click's time in the server
            rows += _parse_rows(results)
        latency = results.bots.get(backend, BotRun()).latency
        if latency is not None:
            rows += view_rows(latency, LABEL[backend])
        if backend == "embedded":
            rows += peer_rows(results)
    for backend in BACKENDS:
        rows += _floor_rows(results, backend)
    for backend in BACKENDS:
        rows += throughput_rows(results, backend)
    for backend in BACKENDS:
        rows += _cost_rows(results, backend)
    rows += memory_rows(results)
    for backend in BACKENDS:
        rows += startup_rows(results, backend)
    for backend in BACKENDS:
        rows += nudge_rows(results, backend)
    rows += reports_rows(results)
    rows += own_tasks_rows(results)
    rows += fleet_rows(results)
    return rows


def _p(latency: LatencyRun, kind: str) -> str:
    lat = latency.latencies
    return (
        f"p50 {fmt_ms(lat.p50_ms(kind))} / p99 {fmt_ms(lat.p99_ms(kind))} ms (n={lat.count(kind)})"
    )


def _latency_rows(results: Results, backend: str) -> list[Row]:
    label = LABEL[backend]
    latency = results.bots.get(backend, BotRun()).latency
    if latency is None:
        return [Row("1", "turn latency", label, results.missing(f"latency ({backend})"))]
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
    ]
    # Its old target (echo + 1.2 × storage pair) is retired (issue 22): figure only.
    rows.append(Row("1", "`Done` click", label, _p(latency, DONE)))
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
        serialise = click.get("serialise_ms", 0.0)
        rows.append(
            Row(
                "1",
                f"in the server: {name} click handler = echo's + store calls + the bot's work "
                "+ reply serialisation",
                label,
                f"p50 {fmt_ms(click['handler_ms'])} ≈ {fmt_ms(echo['handler_ms'])} + "
                f"{fmt_ms(click['store_ms'])} + {fmt_ms(own)} + {fmt_ms(serialise)} ms",
            )
        )
    return rows


def _parse_rows(results: Results) -> list[Row]:
    """Building the botbuilder Activity from a request body: the bot's own parser against
    msrest's, per parse, beside the `Done` click's handler time in the server."""
    parse = results.parse
    if parse is None:
        return [Row("1", "activity parse", "no store", results.missing("activity parse"))]
    latency = results.bots.get("embedded", BotRun()).latency
    done = latency.inside.get(DONE) if latency is not None else None
    beside = (
        f"; embedded `Done` click handler p50 {1000 * done['handler_ms']:.0f} µs" if done else ""
    )
    rows = []
    for kind, name in ((CLICK, "a Teams `Done` click (invoke)"), (MESSAGE, "a Teams message")):
        rows.append(
            Row(
                "1",
                f"activity parse: {name}, median per parse ({parse.rounds} × {parse.per_round:,})",
                "no store",
                f"bot.wire.parse_activity {parse.direct_us[kind]:.0f} µs; msrest "
                f"Activity().deserialize {parse.msrest_us[kind]:.0f} µs"
                + (beside if kind == CLICK else ""),
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
        missing = results.missing(f"storage floor ({backend})")
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


def _cost_rows(results: Results, backend: str) -> list[Row]:
    label = LABEL[backend]
    cost = results.bots.get(backend, BotRun()).cost
    if cost is None:
        return [Row("4", "per click", label, results.missing(f"cost per click ({backend})"))]
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
