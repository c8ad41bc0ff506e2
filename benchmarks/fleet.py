"""Issue 22 items 2, 4 and 5, after the other sections: nudge fan-out over many tenants
(benchmarks/tenants.py), 100,000 engagements stored (benchmarks/scale.py, whose document
sizes feed the Cosmos DB cost model), and two bot processes on one store on both backends
(benchmarks/horizontal.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

from benchmarks.client import Http
from benchmarks.horizontal import measure_horizontal
from benchmarks.results import Results, section
from benchmarks.scale import measure_scale
from benchmarks.tenants import tenants_fanout
from storage.cosmos import CosmosStore
from storage.embedded import EmbeddedStore
from testkit import CONTAINER, CosmosServer


async def fleet_sections(
    results: Results, cosmos: CosmosServer, http: Http, service_url: str, tmp: Path
) -> None:
    sizes = results.sizes
    results.tenants = await section(
        results,
        "nudge fan-out, many tenants (embedded)",
        tenants_fanout(
            EmbeddedStore(tmp / "tenants"),
            tenants=sizes.fleet_tenants,
            per_tenant=sizes.fleet_per_tenant,
            log=tmp / "tenants-connector.log",
        ),
    )
    results.scale = await section(
        results,
        "engagements stored at scale (embedded)",
        measure_scale(
            http,
            tmp,
            service_url,
            engagements=sizes.scale_engagements,
            touched=sizes.scale_touched,
        ),
    )
    database = f"bench-horizontal-{uuid.uuid4().hex[:8]}"
    cosmos_pid = cosmos.process.pid if cosmos.process is not None else None
    targets = {
        "embedded": (
            EmbeddedStore(tmp / "horizontal"),
            None,
            {"data_dir": str(tmp / "horizontal")},
        ),
        "cosmos": (
            CosmosStore(cosmos.endpoint, cosmos.key, database, CONTAINER),
            cosmos_pid,
            {"endpoint": cosmos.endpoint, "key": cosmos.key, "database": database},
        ),
    }
    for backend, (store, store_pid, options) in targets.items():
        run = await section(
            results,
            f"two processes on one store ({backend})",
            measure_horizontal(
                http,
                tmp,
                service_url,
                store,
                backend=backend,
                clients=sizes.clients,
                seconds=sizes.horizontal_seconds,
                store_pid=store_pid,
                **options,
            ),
        )
        if run is not None:
            results.horizontal[backend] = run
