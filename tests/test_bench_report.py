"""The benchmark's report (benchmarks/rows.py, benchmarks/method.py, benchmarks/report.py): the
activity-parse figures beside the Done click's time in the server, and the prose of
docs/benchmarks.md generated from the run's own figures."""

from __future__ import annotations

from collections import Counter

from benchmarks import report
from benchmarks.common import Latencies
from benchmarks.load import ClickLoad, Load
from benchmarks.method import findings_text, method_text
from benchmarks.parsing import CLICK, MESSAGE, ParseTimes, msrest_parse, teams_bodies
from benchmarks.results import BotRun, Results, Sizes
from benchmarks.rows import build_rows
from benchmarks.turns import DONE, ECHO_INVOKE, STORAGE_PAIR, LatencyRun
from bot.wire import parse_activity

PARSE = ParseTimes({CLICK: 30.0, MESSAGE: 25.0}, {CLICK: 140.0, MESSAGE: 120.0}, 7, 2000)


def latency_run(done_ms: float, echo_ms: float, pair_ms: float) -> LatencyRun:
    latencies = Latencies()
    for kind, ms in ((DONE, done_ms), (ECHO_INVOKE, echo_ms), (STORAGE_PAIR, pair_ms)):
        latencies.add(kind, ms / 1000)
    inside = {
        ECHO_INVOKE: {"n": 1, "handler_ms": 0.17, "store_ms": 0.0, "own_ms": 0.17},
        DONE: {"n": 1, "handler_ms": 0.56, "store_ms": 0.13, "own_ms": 0.43},
    }
    return LatencyRun(latencies, Counter(), "a:conv", inside)


def results(done_ms: float) -> Results:
    """An embedded-store run whose Done p50 is `done_ms` against echo 0.51 + 1.2 × 0.21."""
    run = Results(Sizes())
    clicks = ClickLoad(Load(ok=1321, seconds=1.0, server_cpu_s=1.017), {}, lost=0)
    echo = Load(ok=4437, seconds=1.0, server_cpu_s=0.976)
    run.bots["embedded"] = BotRun(latency=latency_run(done_ms, 0.51, 0.21), echo=echo)
    run.bots["embedded"].clicks = clicks
    run.parse = PARSE
    return run


def test_both_parsers_build_the_same_activity_from_the_benchmarks_teams_bodies() -> None:
    for body in teams_bodies().values():
        assert parse_activity(body).serialize() == msrest_parse(body).serialize()


def test_the_parse_figures_sit_beside_the_done_clicks_time_in_the_server() -> None:
    rows = build_rows(results(done_ms=0.91))
    measures = [r.measure for r in rows]
    done_inside = measures.index(
        "in the server: `Done` click handler = echo's + store calls + the bot's work "
        "+ reply serialisation"
    )
    click, message = rows[done_inside + 1], rows[done_inside + 2]
    assert click.measure.startswith("activity parse: a Teams `Done` click")
    assert click.value == (
        "bot.wire.parse_activity 30 µs; msrest Activity().deserialize 140 µs; "
        "embedded `Done` click handler p50 560 µs"
    )
    assert message.measure.startswith("activity parse: a Teams message")
    assert message.value == ("bot.wire.parse_activity 25 µs; msrest Activity().deserialize 120 µs")


def test_the_retired_embedded_targets_keep_their_figures_without_a_verdict() -> None:
    """Issue 22 retired Done ≤ echo + 1.2 × pair and clicks/s ≥ 50 % of the echo's."""
    run = results(done_ms=0.91)
    rows = {r.measure: r for r in build_rows(run) if r.backend == "embedded"}
    done = rows["`Done` click"]
    assert done.value.startswith("p50 0.91") and (done.target, done.result) == ("", report.INFO)
    clicks = next(r for m, r in rows.items() if m.startswith("`Done` clicks/s, 2 clients"))
    assert clicks.value == "1321/s = 30 % of echo invokes/s"
    assert (clicks.target, clicks.result) == ("", report.INFO)
    text = findings_text(run, build_rows(run))
    assert "`Done` click (embedded)" not in text


def test_the_document_carries_the_findings_and_the_method_with_the_table() -> None:
    run = results(done_ms=0.91)
    rows = build_rows(run)
    machine = report.Machine("2026-12-03 06:00 UTC", "x86_64", "CPU", 2, "3.11.7", "v20")
    document = report.document(
        machine,
        rows,
        elapsed_s=60.0,
        findings=findings_text(run, rows),
        method="METHOD\n",
        details="DETAILS\n",
        profile=None,
    )
    sections = ["## What the figures say", "## How it is measured", "## Details", "## Hot path"]
    positions = [document.index(heading) for heading in sections]
    assert positions == sorted(positions)
    assert document.index(report.table(rows)) < positions[0]
    assert "Targets met:" in document


def test_the_method_says_how_the_reports_figures_are_taken() -> None:
    text = method_text(Sizes(report_history=2_000, report_samples=30, report_rss_runs=100))
    assert "8. **Reports**" in text and "2,000 entries" in text
    assert "30 times" in text and "after 100 more reports" in text
