"""The table's rows for every turn type (issue 22 items 0 and 1): each view's latency with the
split of its time in the server, the largest reply-serialisation share, and the peers (stock
echo bots on Microsoft's Agents SDK and Teams SDK) beside the bot's views."""

from __future__ import annotations

from benchmarks.common import fmt_ms
from benchmarks.report import Row, verdict
from benchmarks.results import BotRun, Results
from benchmarks.rows_load import in_rounds_of
from benchmarks.turns import (
    DETAILS_SAVE,
    DONE,
    ECHO_INVOKE,
    ECHO_MESSAGE,
    HELP,
    MESSAGES,
    MY_TASKS,
    NEXT,
    PAGE,
    PHASE,
    PROACTIVE,
    REOPEN,
    REPORT,
    SETUP_SAVE,
    STATUS,
    VIEWS,
    LatencyRun,
    peer_invoke,
    peer_message,
)

# Targets (issue 22): a view's p50 against the Done click's on the same backend; the reply
# serialisation's share of any turn's time in the server.
VIEW_VS_DONE = 2.0
SERIALISE_SHARE = 0.2

NAMES = {
    STATUS: "`status` message",
    NEXT: "`next` message",
    PHASE: "`phase assess` message",
    MY_TASKS: "`my tasks` message",
    HELP: "`help` message",
    REPORT: "`report` message",
    DETAILS_SAVE: "Details `Save` click (a due date)",
    PAGE: "page click (a phase's card, `phase.show`)",
    SETUP_SAVE: "setup `Save` click (the reminder hour)",
    PROACTIVE: "proactive send: `Send to my chat` click (posts the list to the 1:1 chat)",
}


def _echo_of(kind: str) -> str:
    return ECHO_MESSAGE if kind in MESSAGES else ECHO_INVOKE


def _split(latency: LatencyRun, kind: str) -> tuple[str, float] | None:
    """`kind`'s time in the server, p50s: the echo turn's of the same kind, store calls, the
    bot's own work, reply serialisation; with serialisation's share of the whole."""
    inside, echo = latency.inside.get(kind), latency.inside.get(_echo_of(kind))
    if inside is None or echo is None or not inside["handler_ms"]:
        return None
    handler, serialise = inside["handler_ms"], inside.get("serialise_ms", 0.0)
    own = inside["own_ms"] - echo["handler_ms"]
    share = serialise / handler
    text = (
        f"in the server {fmt_ms(handler)} ≈ echo's {fmt_ms(echo['handler_ms'])} + store "
        f"{fmt_ms(inside['store_ms'])} + the bot's own {fmt_ms(own)} + serialisation "
        f"{fmt_ms(serialise)} ms ({100 * share:.0f} %)"
    )
    return text, share


def view_rows(latency: LatencyRun, label: str) -> list[Row]:
    """A row per turn type besides Done and Reopen (theirs are above), each against twice the
    Done click's p50; then the largest serialisation share of any turn the bot served (the
    echo floors beside it)."""
    lat, rows = latency.latencies, []
    limit = VIEW_VS_DONE * lat.p50_ms(DONE)
    for kind in VIEWS:
        if kind in (DONE, REOPEN) or not lat.count(kind):
            continue
        split = _split(latency, kind)
        value = f"p50 {fmt_ms(lat.p50_ms(kind))} / p99 {fmt_ms(lat.p99_ms(kind))} ms"
        value += f" (n={lat.count(kind)})" + (f"; {split[0]}" if split else "")
        rows.append(
            Row(
                "1",
                NAMES[kind],
                label,
                value,
                f"p50 ≤ {VIEW_VS_DONE:g} × Done p50 = {fmt_ms(limit)} ms",
                verdict(lat.p50_ms(kind) <= limit),
            )
        )
    # The bot's turns are held to the target; the echo floors (turns that do nothing but
    # answer a fixed reply, so serialisation is most of what little they do) are shown beside.
    shares = {kind: split[1] for kind in VIEWS if (split := _split(latency, kind)) is not None}
    floors = {
        kind: split[1]
        for kind in (ECHO_MESSAGE, ECHO_INVOKE)
        if (split := _split(latency, kind)) is not None
    }
    if shares:
        worst = max(shares, key=shares.__getitem__)
        rows.append(
            Row(
                "1",
                "reply serialisation: largest share of a bot turn's time in the server (p50s)",
                label,
                f"{100 * shares[worst]:.0f} % ({worst}); every turn: "
                + ", ".join(f"{k} {100 * v:.0f} %" for k, v in shares.items())
                + "; the echo floors: "
                + ", ".join(f"{k} {100 * v:.0f} %" for k, v in floors.items()),
                f"≤ {100 * SERIALISE_SHARE:.0f} %",
                verdict(shares[worst] <= SERIALISE_SHARE),
            )
        )
    return rows


def peer_rows(results: Results) -> list[Row]:
    """The peers' echo turns and throughput, beside the bot's views, on the embedded store:
    each view against the better peer of the same kind (message or card invoke)."""
    run = results.bots.get("embedded", BotRun())
    latency, label = run.latency, "embedded"
    if latency is None or not latency.peers:
        return [Row("0", "peers", label, results.missing("peers (start)"))]
    lat, rows = latency.latencies, []
    for peer in latency.peers:
        for kind, what in (
            (peer_message(peer), "message, answered with the `status` card (posted)"),
            (peer_invoke(peer), "card invoke, answered with the `Done` click's card"),
        ):
            value = f"p50 {fmt_ms(lat.p50_ms(kind))} / p99 {fmt_ms(lat.p99_ms(kind))} ms"
            load = run.loads.get(kind)
            if load is not None:
                rates = "/".join(f"{rate:,.0f}" for rate in load.rounds) or "one run"
                value += f"; {load.median_per_second:,.0f}/s ({rates}; {load.errors} errors)"
            rows.append(Row("0", f"peer: {peer} stock echo, {what}", label, value))
    for views, of_kind, what in (
        ([k for k in VIEWS if k in MESSAGES], peer_message, "message"),
        ([k for k in VIEWS if k not in MESSAGES], peer_invoke, "card invoke"),
    ):
        best = min(latency.peers, key=lambda p: lat.p50_ms(of_kind(p)))
        floor = lat.p50_ms(of_kind(best))
        measured = [k for k in views if lat.count(k)]
        slowest = max(measured, key=lat.p50_ms)
        rows.append(
            Row(
                "0",
                f"every {what} view's p50 against the better peer's echo ({best})",
                label,
                f"slowest: {slowest} {fmt_ms(lat.p50_ms(slowest))} ms; "
                + ", ".join(f"{k} {fmt_ms(lat.p50_ms(k))}" for k in measured),
                f"each ≤ {fmt_ms(floor)} ms",
                verdict(lat.p50_ms(slowest) <= floor),
            )
        )
    rows += _throughput_rows(run, latency.peers)
    return rows


def _throughput_rows(run: BotRun, peers: tuple[str, ...]) -> list[Row]:
    """`status` messages/s against the better peer's echo messages/s; `Done` clicks/s (one
    client per engagement) against its echo invokes/s: the medians of their rounds, which
    alternate (benchmarks/sections.py, `views_and_peers_load`)."""
    rows = []
    clicks = run.solo.load if run.solo is not None else None
    for name, ours, of_kind in (
        ("`status` messages/s", run.loads.get(STATUS), peer_message),
        ("`Done` clicks/s, one client per engagement", clicks, peer_invoke),
    ):
        theirs = {p: run.loads[of_kind(p)] for p in peers if of_kind(p) in run.loads}
        if ours is None or not theirs:
            rows.append(Row("0", f"{name} against the better peer", "embedded", "not measured"))
            continue
        best = max(theirs, key=lambda p: theirs[p].median_per_second)
        floor = theirs[best].median_per_second
        rows.append(
            Row(
                "0",
                f"{name} against the better peer's echo ({best})",
                "embedded",
                f"{ours.median_per_second:,.0f}/s ({ours.errors} errors); "
                + in_rounds_of(ours, "the peers' and the other views' rounds"),
                f"≥ {floor:,.0f}/s",
                verdict(ours.median_per_second >= floor and not ours.errors),
            )
        )
    return rows
