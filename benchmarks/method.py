"""The prose of docs/benchmarks.md, generated with every run so that it always speaks of the
figures beside it: what the figures say (targets met and not, and why), how they are
measured, and details behind the table."""

from __future__ import annotations

from benchmarks.common import fmt_ms
from benchmarks.parsing import PARSES_PER_ROUND
from benchmarks.parsing import ROUNDS as PARSE_ROUNDS
from benchmarks.report import FAIL, PASS, Row
from benchmarks.results import BACKENDS, LABEL, BotRun, Results, Sizes
from benchmarks.turns import DONE
from bot.ratelimit import TENANT_PER_SECOND
from testkit import json_size


def findings_text(results: Results, rows: list[Row]) -> str:
    """Which targets this run met, which not, and what its own figures say about those not met
    on the embedded store; then the figures before and after the performance work."""
    judged = [r for r in rows if r.result in (PASS, FAIL)]
    failed = [r for r in judged if r.result == FAIL]
    lines = [f"Targets met: {len(judged) - len(failed)} of {len(judged)} in this run."]
    if failed:
        lines += ["", "Not met:", ""]
        lines += [f"- {r.measure} ({r.backend}): {r.value}; target {r.target}." for r in failed]
    lines += ["", _history(results)]
    return "\n".join(lines) + "\n"


def _history(results: Results) -> str:
    """The same benchmark before the performance work (fixed figures) and in this run."""
    now = []
    for backend in BACKENDS:
        run = results.bots.get(backend, BotRun())
        if run.latency is not None and run.clicks is not None:
            now.append(
                f"{LABEL[backend]}: {fmt_ms(run.latency.latencies.p50_ms(DONE))} ms and "
                f"{run.clicks.load.per_second:,.0f} clicks/s"
            )
    return (
        "Before the performance work (same benchmark, November 2026) a `Done` click took "
        "9.9 ms on the embedded store (Cosmos DB 15.0 ms), which served 86 clicks/s (Cosmos "
        "DB 64/s)" + (f"; in this run, {'; '.join(now)}." if now else ".")
    )


def method_text(sizes: Sizes) -> str:
    """How every figure is measured, with the sizes of this run."""
    return f"""\
Processes: this benchmark (the load generator, a fake Bot Connector, the storage floor and the
nudge run), the bot server (`benchmarks/server.py`: the real `bot.web.create_app` app and the
echo app on loopback ports, plus a control port for counters and the profiler), and the Cosmos
DB protocol server (`scripts/cosmos-server.js`, Node.js). All on this machine's cores, so every
figure includes the client's and the other processes' share of the CPU; targets compare
figures taken in the same run under the same conditions.

0. **Peers** (embedded store rounds only): stock echo bots on Microsoft's two current Python
   SDKs for Teams, the Microsoft 365 Agents SDK (`microsoft-agents-hosting-aiohttp`) and the
   Teams SDK (`microsoft-teams-apps`), `benchmarks/peers/`, each in its own process with its
   SDK's own HTTP stack (aiohttp; FastAPI on uvicorn), JWT validation off for the loopback
   traffic, installed by the benchmark into `.venv-peers` (pinned in
   `benchmarks/peers/requirements.txt`). Each answers a message with the card `status` answers
   (posted to the same fake Bot Connector) and an Action.Execute invoke with the card a Done
   click answers. They are played in the same latency rounds as the bot's turns (a message and
   an invoke of each per round) and loaded closed-loop like the echo ({sizes.clients} clients,
   {sizes.echo_seconds:g} s each), as are `status` and Done clicks (one client per
   engagement, {sizes.solo_seconds:g} s), all in {sizes.rounds} alternating rounds (each
   kind's time split evenly; each round starts one kind later than the one before). Message
   views are held to the better peer's message echo, click views to its invoke echo;
   `status` messages/s and Done clicks/s to its throughput, as the medians of their rounds:
   on this shared machine the load drifts over tens of seconds, so loads measured one after
   the other differed by ±20 % between runs.
1. **Turn latency**: {sizes.turns:,} turns of each kind (after {sizes.warmup} warm-up rounds),
   sent one at a time over HTTP (keep-alive) and interleaved round by round (echo message, echo
   invoke, three-line echo invoke, the message commands `status`, `next`, `phase assess`,
   `my tasks`, `help`, `report`, the clicks Done, Reopen, Details Save (a due date,
   alternating), a phase's page, the storage pair, the peers; setup Save (the reminder hour,
   alternating), `Send to my chat` (a proactive post) and the unsupported invoke every fifth
   round), so noise on the shared machine hits every kind alike. Each round
   plays them in a new random order (seeded), so no kind always follows the same turn: a turn
   right after a heavier one pays for the caches that one cooled (with a fixed order, Done
   always came right after `status` and took 0.3–0.4 ms longer than Reopen, which came right
   after Done). Client-side time from sending the request to having the whole answer. Clicks
   are `adaptiveCard/action` invokes in a personal chat (so no shared-card update goes to the
   connector), each with a new activity id; a round's first click marks an Enable task (never
   the first, which stays open) Done and its second reopens it, so every click is a real
   change and no phase completes (no announcement). The engagement document stays at its
   steady-state size (20-entry audit tail, archived every 20 changes; 64 remembered ids).
   - **In the server**, the same measured turns are timed by a middleware outside the bot's
     own (`benchmarks/timing.py`): the handler's time (from the parsed request to the
     response ready to write) and, of it, the time awaiting store calls. A click's handler is
     shown as the echo invoke's handler (what the echo turn also does: adapter, activity,
     answer, turn log) + the click's store calls + the rest, the bot's own work (the action,
     the rules, the engagement's stored form, the card) + reply serialisation (the time in
     `bot.connector_http.activity_body` and `bot.adapter.json_response`, wrapped with timers in
     the server process), each a p50, so they add up only roughly. A message view is split
     against the echo message turn the same way.
   - **The echo floor** is a separate minimal app in the same server process
     (`benchmarks/echo.py`): the same aiohttp stack and server options as app.py's (no
     access log line for a turn), `turn_logging` middleware, `OnboardingAdapter` with the
     same authentication configuration and error handler, around a bot that does no store
     work. Its message turn sends one text reply through the Bot
     Connector (as `status` sends its card); its invoke answers a fixed card of the size and
     shape a Done click answers (the Enable phase's page, rendered once when the app
     starts), so the floor carries the answer's bytes but none of the bot's work. A second
     echo invoke answering a three-line card shows what the answer's size alone costs. The
     real bot has no store-free message turn
     (every message reads the engagement), so a minimal app is the only clean floor for
     messages; for invokes the real bot's own store-free path (an unsupported invoke name,
     answered 400) is measured too, as a check that the echo app costs what the real app's
     plumbing costs.
   - The Done click's old targets against the echo (p50 ≤ echo + 1.2 × storage pair;
     throughput ≥ 50 % of the echo's) are retired (issue 22); their figures stay.
   - **Activity parsing**, first of all (nothing else of the benchmark runs yet), in this
     process: a typical Teams `Done` click (an `adaptiveCard/action` invoke on a channel's
     card) and a typical `status` message @mentioning the bot, both with the local time and
     `clientInfo` entity Teams adds, turned into botbuilder's `Activity` by the bot's own
     parser (`bot.wire.parse_activity`) and by msrest's (`Activity().deserialize(body)`,
     what botbuilder uses), after a check that both build the same activity: the median of
     {PARSE_ROUNDS} rounds of {PARSES_PER_ROUND:,} parses, per parse. Shown beside the `Done`
     click's handler time in the server, of which the parse is a part.
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
     throughput, in rounds alternating with the click throughput's (section 3).
3. **Throughput**: closed loop, {sizes.clients} clients each sending the next click as soon as
   the previous is answered, for {sizes.click_seconds:g} s in {sizes.rounds} rounds that
   alternate with the storage pairs' throughput rounds (the Cosmos DB target compares the
   medians of the rounds, so both meet the same drift of the machine's load). Two clients
   share each of
   {sizes.click_engagements} engagements (personal chats), each on its own half of the Enable
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
8. **Reports** (`benchmarks/reports.py`, `--only reports`): `python app.py` on a new
   `BOT_DATA_DIR`; over HTTP, a personal-chat engagement set up by its manager (Korean, four
   phase targets), with 263 tasks of its own pasted into Remediate through `add task` (300
   tasks in all, as in section 9), then alternate Done / Reopen clicks on its step tasks
   until the history holds {sizes.report_history:,} entries (the setup and the 263 created
   tasks among them). **Report card**: `report.show` clicked {sizes.report_samples} times,
   client-side time to the card (p50); each card's chart fetched from its signed link and
   timed apart.
   **Export**: `export.show`, then the `.xlsx` link fetched: time to the whole workbook and its
   size. **RSS growth**: the app's `VmRSS` after the samples and the export, and again
   after {sizes.report_rss_runs} more reports, each with its chart fetched (rendered in the
   app's render threads).
9. **A click and `status` on 300 tasks against 37** (`benchmarks/own_tasks.py`, `--only
   own-tasks`, with `--cosmos` on the Cosmos DB server too): two personal-chat engagements
   in one server process, one with the catalog's 37 tasks, one with 263 tasks of its own
   added (300 in all) by pasting a checklist through `add task` (each line with an owner, a
   due date and a description of about 75 characters). After one Done + Reopen round on
   each (which archives the checklist's 263 audit entries), {sizes.own_task_clicks}
   sequential clicks on each alone (Done and Reopen alternating on the Enable tasks) for the
   store's JSON bytes written per click (the counting proxy: a patch's operations, or a
   whole document); then as many clicks and half as many `status` with the two engagements
   taking turns (so that both see the same load on a shared machine) for the server's
   handler time p50 (`benchmarks/timing.py`). The target is at most 1.5× the 37-task figure
   on each. A click writes a patch of what it changed (the task's record, the audit entry,
   the activity id: about 0.8 KiB whatever the number of tasks), on Cosmos DB one
   `patch_item` with `If-Match`, on SQLite one transaction over the rows of the entries it
   names (storage/embedded_members.py); a change of more than 10 operations sets whole
   properties instead, and past that replaces the document. `status` on an engagement the
   process remembers reads it only if it changed (an etag check, 304 on Cosmos DB). The own
   tasks' text is in a document of its own, read only when it changed (storage/layout.py):
   at 300 tasks the engagement document is about 33 KB and its own tasks' about 70 KB. The
   worst case is 1.38 MB together (300 own tasks with the longest Korean titles and
   descriptions, owners, due dates and the longest note preview on every task, JSON with
   ASCII escapes; `tests/test_own_tasks.py`): 0.44 MB the engagement, 0.94 MB its own tasks,
   each inside Cosmos DB's 2 MB item limit. The last row times `status` right after a second
   server process on the same store clicked (a quarter as many): the first process then
   reads what changed since the version it knew (on SQLite the entry rows written since; on
   Cosmos DB the engagement document, not its own tasks') and parses only the records that
   changed. The local Cosmos
   DB server's own cost is not Cosmos DB's (scripts/cosmos-server.js copies only what a
   patch changes, and answers `If-None-Match` with 304 as Cosmos DB does); on Cosmos DB a
   patch is billed about like a replace of the whole document, which this run cannot
   measure (RU are always 1).
"""


def details_text(results: Results) -> str:
    """Figures behind the table's: the floor's document, load details, section times."""
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
