"""The sections of a run, in order: activity parsing; the bot on the embedded store (latency,
cost per click, echo and click throughput, profile); the storage floor on both backends; the
bot on the Cosmos DB server; memory; start-up; reports; a click on 300 tasks against 37 (both
backends); nudge fan-out (embedded, then Cosmos DB when the time budget allows)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.appprocess import measure_memory, measure_startup
from benchmarks.client import (
    BotServer,
    Http,
    Reply,
    personal_click,
    personal_key,
    personal_message,
)
from benchmarks.common import progress
from benchmarks.floor import PairSource, cosmos_pairs, embedded_pairs, measure_floor, pair_load
from benchmarks.load import (
    Clicking,
    Load,
    alternate,
    click_load,
    echo_load,
    profile_clicks,
    turn_load,
    verify,
)
from benchmarks.nudges import nudge_fanout
from benchmarks.own_tasks import measure_own_tasks
from benchmarks.parsing import measure_parse
from benchmarks.peer_bots import peer_bots
from benchmarks.reports import measure_reports
from benchmarks.results import BACKENDS, BotRun, Results, Sizes, section
from benchmarks.rows_own_tasks import section_name
from benchmarks.turns import (
    CLICKED_TASKS,
    STATUS,
    FloorInRounds,
    measure_click_cost,
    measure_latency,
    peer_invoke,
    peer_message,
)
from storage.base import DocumentStore
from storage.cosmos import CosmosStore
from storage.embedded import EmbeddedStore
from testkit import CONTAINER, CosmosServer, FakeConnector, WireCounter

# The kinds of load that alternate with others, beside the views' and the peers' (turns.py).
SOLO_CLICKS = "Done clicks, one client per engagement"
CLICKS = "Done clicks, two clients per engagement"
PAIRS = "storage pairs"
# The whole run should stay under 10 minutes; the optional Cosmos DB nudge run is skipped
# when it would likely end past this.
BUDGET_S = 540.0


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
    peers: dict[str, str] | None = None,
) -> None:
    """Latency (with the storage pair and the `peers` in its rounds), cost per click,
    throughput (clicks in rounds alternating with the storage pairs'; on the embedded store
    also echo, and `status` and own-engagement clicks in rounds alternating with the peers';
    and the profile) against one server process; fills `run` as it goes."""
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
                peers=peers,
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
            await section(
                results,
                "throughput: status, own-engagement clicks, peers (embedded)",
                views_and_peers_load(run, sizes, server, http, service_url, peers or {}),
            )
        else:
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
        if run.latency is not None:
            await section(
                results,
                f"click throughput ({backend})",
                clicks_and_pairs(
                    run, sizes, server, http, service_url, backend, store_factory, pairs
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
                engagement_id = personal_key(run.latency.conversation).id
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


async def views_and_peers_load(
    run: BotRun,
    sizes: Sizes,
    server: BotServer,
    http: Http,
    service_url: str,
    peers: dict[str, str],
) -> None:
    """Closed-loop throughput of `status` (each client in its own personal chat), of Done
    clicks (each client in its own engagement) and of each peer's echo message and invoke,
    with the clients of the echo's, in alternating rounds: the targets compare the medians."""
    per_round = sizes.echo_seconds / sizes.rounds

    def message(prefix: str) -> Callable[[int], dict[str, Any]]:
        return lambda i: personal_message(service_url, "status", f"a:{prefix}-{i}")

    def invoke(prefix: str) -> Callable[[int], dict[str, Any]]:
        task = CLICKED_TASKS[0]
        return lambda i: personal_click(service_url, "task.done", task, f"a:{prefix}-{i}")

    def posted(reply: Reply) -> bool:
        return reply.status in (200, 201, 202)

    def card(reply: Reply) -> bool:
        return reply.is_card

    turns = [(STATUS, server.bot_url, message("bench-status"), posted)]
    for peer, url in peers.items():
        turns.append((peer_message(peer), url, message("bench-peer"), posted))
        turns.append((peer_invoke(peer), url, invoke("bench-peer"), card))
    kinds: dict[str, Callable[[], Awaitable[Load]]] = {
        kind: partial(
            turn_load, http, url, activity, answered, clients=sizes.clients, seconds=per_round
        )
        for kind, url, activity, answered in turns
    }
    clicking = Clicking(
        server,
        http,
        service_url,
        clients=sizes.clients,
        engagements=sizes.clients,
        prefix="a:bench-solo-embedded",
    )
    await clicking.start()
    kinds[SOLO_CLICKS] = partial(clicking.round, sizes.solo_seconds / sizes.rounds)
    loads = await alternate(kinds, sizes.rounds)
    del loads[SOLO_CLICKS]
    run.loads.update(loads)
    run.solo = await clicking.finish()


async def clicks_and_pairs(
    run: BotRun,
    sizes: Sizes,
    server: BotServer,
    http: Http,
    service_url: str,
    backend: str,
    store_factory: Callable[[], DocumentStore],
    pairs: PairSource,
) -> None:
    """Done / Reopen clicks with two clients per engagement (racing on its etag) and the
    storage pairs (the floor: each worker on its own copy of the clicks' engagement document
    as the latency run left it), in alternating rounds with the same number of clients."""
    assert run.latency is not None
    body = await clicked_document(store_factory, run.latency.conversation)
    clicking = Clicking(
        server,
        http,
        service_url,
        clients=sizes.clients,
        engagements=sizes.click_engagements,
        prefix=f"a:bench-load-{backend}",
    )
    await clicking.start()
    async with pairs(body, sizes.clients) as pair:
        loads = await alternate(
            {
                CLICKS: partial(clicking.round, sizes.click_seconds / sizes.rounds),
                PAIRS: partial(
                    pair_load,
                    pair,
                    clients=sizes.clients,
                    seconds=sizes.floor_seconds / sizes.rounds,
                ),
            },
            sizes.rounds,
        )
    run.pairs = loads[PAIRS]
    run.clicks = await clicking.finish()


async def clicked_document(
    store_factory: Callable[[], DocumentStore], conversation: str
) -> dict[str, Any]:
    """The engagement document of the latency run's clicks (read through a store object of
    this process)."""
    store = store_factory()
    await store.open()
    try:
        doc = await store.read(personal_key(conversation).id, "engagement")
    finally:
        await store.close()
    if doc is None:
        raise RuntimeError("the latency run's clicks left no engagement document")
    return doc.body


def floor_in_rounds(store_factory: Callable[[], DocumentStore], pairs: PairSource) -> FloorInRounds:
    """The storage pair for the latency rounds, on a copy of the clicks' engagement document
    as the warm-up left it."""

    @asynccontextmanager
    async def floor(conversation: str) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        body = await clicked_document(store_factory, conversation)
        async with pairs(body, 1) as pair:
            yield lambda: pair(0)

    return floor


async def reports_section(results: Results, http: Http, service_url: str, tmp: Path) -> None:
    """The status report, its chart and the export of a big engagement; RSS over reports."""
    sizes = results.sizes
    results.reports = await section(
        results,
        "reports (embedded)",
        measure_reports(
            http,
            tmp,
            service_url,
            history=sizes.report_history,
            samples=sizes.report_samples,
            rss_reports=sizes.report_rss_runs,
        ),
    )


async def own_tasks_section(
    results: Results, http: Http, service_url: str, tmp: Path, cosmos: CosmosServer | None
) -> None:
    """A Done click on a 300-task engagement against one on 37: on the embedded store, and
    on the Cosmos DB server when one is given."""
    backends: dict[str, dict[str, str]] = {"embedded": {"data_dir": str(tmp / "own-tasks")}}
    if cosmos is not None:
        database = f"bench-own-{uuid.uuid4().hex[:8]}"
        backends["cosmos"] = {"endpoint": cosmos.endpoint, "key": cosmos.key, "database": database}
    for backend, options in backends.items():
        run = await section(
            results,
            section_name(backend),
            measure_own_tasks(
                http,
                tmp,
                service_url,
                backend=backend,
                clicks=results.sizes.own_task_clicks,
                **options,
            ),
        )
        if run is not None:
            results.own_tasks[backend] = run


async def measure_all(
    results: Results,
    cosmos: CosmosServer,
    connector: FakeConnector,
    http: Http,
    service_url: str,
    tmp: Path,
) -> None:
    """Every section in order, filling `results`; the optional Cosmos DB nudge run is left
    out when it would likely end past the time budget."""
    sizes = results.sizes
    started = time.perf_counter()
    # First, while nothing else of the benchmark runs: CPU-bound, in this process.
    results.parse = await section(results, "activity parse", asyncio.to_thread(measure_parse))
    pair_sources = {
        "embedded": embedded_pairs(tmp / "floor"),
        "cosmos": cosmos_pairs(cosmos.endpoint, cosmos.key),
    }
    data_dir = tmp / "bot-embedded"
    results.bots["embedded"] = BotRun()
    async with AsyncExitStack() as stack:
        # The peers run beside the bot on the embedded store only, then stop.
        peers = await section(results, "peers (start)", stack.enter_async_context(peer_bots(tmp)))
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
                peers.urls if peers else None,
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
                measure_floor(pair_sources[backend], body, turns=sizes.turns, warmup=sizes.warmup),
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

    await reports_section(results, http, service_url, tmp)
    await own_tasks_section(results, http, service_url, tmp, cosmos)
    connector.calls.clear()
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
