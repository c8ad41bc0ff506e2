"""The benchmark's rows for every turn type and the peers (issue 22 items 0 and 1,
benchmarks/rows_views.py): the targets judge the run's own figures."""

from __future__ import annotations

from collections import Counter

from benchmarks import report
from benchmarks.common import Latencies
from benchmarks.load import ClickLoad, Load
from benchmarks.results import BotRun, Results, Sizes
from benchmarks.rows_views import peer_rows, view_rows
from benchmarks.turns import (
    DONE,
    ECHO_INVOKE,
    ECHO_MESSAGE,
    PAGE,
    REPORT,
    STATUS,
    LatencyRun,
    peer_invoke,
    peer_message,
)

PEERS = ("Agents SDK", "Teams SDK")


def run_with(
    p50_ms: dict[str, float], serialise_ms: float = 0.05, serialise: dict[str, float] | None = None
) -> LatencyRun:
    latencies = Latencies()
    for kind, ms in p50_ms.items():
        latencies.add(kind, ms / 1000)
    inside = {
        kind: {"n": 1, "handler_ms": ms / 2, "store_ms": 0.1, "own_ms": ms / 2 - 0.1,
               "serialise_ms": (serialise or {}).get(kind, serialise_ms)}
        for kind, ms in p50_ms.items()
    }  # fmt: skip
    return LatencyRun(latencies, Counter(), "a:conv", inside, PEERS)


FIGURES = {
    ECHO_MESSAGE: 1.0,
    ECHO_INVOKE: 0.8,
    DONE: 2.0,
    STATUS: 3.0,
    REPORT: 4.5,
    PAGE: 1.5,
    peer_message("Agents SDK"): 8.0,
    peer_message("Teams SDK"): 3.5,
    peer_invoke("Agents SDK"): 6.0,
    peer_invoke("Teams SDK"): 4.0,
}


def by_measure(rows: list[report.Row]) -> dict[str, report.Row]:
    return {r.measure: r for r in rows}


def test_each_view_is_held_to_twice_the_done_clicks_p50() -> None:
    rows = by_measure(view_rows(run_with(FIGURES), "embedded"))
    assert rows["`status` message"].result == report.PASS
    assert rows["`status` message"].target == "p50 ≤ 2 × Done p50 = 4.00 ms"
    assert rows["`report` message"].result == report.FAIL
    assert "echo's 0.50 + store 0.10" in rows["`report` message"].value
    assert "page click (a phase's card, `phase.show`)" in rows


def test_serialisation_is_held_to_a_fifth_of_any_bot_turns_server_time() -> None:
    measure = "reply serialisation: largest share of a bot turn's time in the server (p50s)"
    assert by_measure(view_rows(run_with(FIGURES), "embedded"))[measure].result == report.PASS
    heavy = by_measure(view_rows(run_with(FIGURES, serialise_ms=0.3), "embedded"))[measure]
    # 0.3 ms of the page click's 0.75 ms handler: the largest share of the bot's turns.
    assert heavy.result == report.FAIL and heavy.value.startswith("40 % (page click)")


def test_the_echo_floors_are_shown_beside_but_do_not_decide() -> None:
    measure = "reply serialisation: largest share of a bot turn's time in the server (p50s)"
    floors_heavy = {ECHO_MESSAGE: 0.3, ECHO_INVOKE: 0.3}
    row = by_measure(view_rows(run_with(FIGURES, serialise=floors_heavy), "embedded"))[measure]
    assert row.result == report.PASS
    assert "the echo floors: echo message 60 %, echo invoke 75 %" in row.value


def test_views_are_held_to_the_better_peer_of_their_kind() -> None:
    results = Results(Sizes())
    solo = ClickLoad(Load(ok=900, seconds=1.0), {})
    loads = {
        STATUS: Load(ok=700, seconds=1.0),
        peer_message("Agents SDK"): Load(ok=300, seconds=1.0),
        peer_message("Teams SDK"): Load(ok=800, seconds=1.0),
        peer_invoke("Agents SDK"): Load(ok=400, seconds=1.0),
        peer_invoke("Teams SDK"): Load(ok=850, seconds=1.0),
    }
    results.bots["embedded"] = BotRun(latency=run_with(FIGURES), solo=solo, loads=loads)
    rows = by_measure(peer_rows(results))
    messages = rows["every message view's p50 against the better peer's echo (Teams SDK)"]
    assert messages.target == "each ≤ 3.50 ms" and messages.result == report.FAIL
    assert messages.value.startswith("slowest: report 4.50 ms")
    clicks = rows["every card invoke view's p50 against the better peer's echo (Teams SDK)"]
    assert clicks.target == "each ≤ 4.00 ms" and clicks.result == report.PASS
    status = rows["`status` messages/s against the better peer's echo (Teams SDK)"]
    assert (status.target, status.result) == ("≥ 800/s", report.FAIL)
    done = rows[
        "`Done` clicks/s, one client per engagement against the better peer's echo (Teams SDK)"
    ]
    assert (done.target, done.result) == ("≥ 850/s", report.PASS)


def test_a_run_without_peers_says_so() -> None:
    results = Results(Sizes())
    results.errors["peers (start)"] = "CalledProcessError: pip failed"
    rows = peer_rows(results)
    assert rows[0].value == "not measured (CalledProcessError: pip failed)"
