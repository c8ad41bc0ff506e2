"""`python -m benchmarks`: starts what the run needs (the Cosmos DB server, the fake Bot
Connector, an HTTP session), runs every section (benchmarks/sections.py), prints the table and
writes docs/benchmarks.md (benchmarks/rows.py, benchmarks/method.py, benchmarks/report.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import report
from benchmarks.client import Http, new_session
from benchmarks.common import PROJECT_ROOT, changed_sources, progress, source_snapshot
from benchmarks.fleet import fleet_sections
from benchmarks.method import details_text, findings_text, method_text
from benchmarks.report import Machine
from benchmarks.results import QUICK, BotRun, Results, Sizes
from benchmarks.rows import build_rows
from benchmarks.rows_fleet import fleet_rows, fleet_text
from benchmarks.rows_own_tasks import own_tasks_rows
from benchmarks.rows_reports import reports_rows
from benchmarks.sections import measure_all, own_tasks_section, reports_section
from testkit import CosmosServer, CosmosServerError, FakeConnector, free_port

DOCS = PROJECT_ROOT / "docs" / "benchmarks.md"


async def run_reports_only(sizes: Sizes) -> int:
    """`--only reports`: that section alone (no Cosmos DB server), its rows on stdout."""
    results = Results(sizes)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        connector = FakeConnector()
        await connector.start()
        try:
            async with new_session() as session:
                await reports_section(results, Http(session), connector.url, Path(tmp_name))
        finally:
            await connector.stop()
    print(report.table(reports_rows(results)), flush=True)
    return 1 if results.errors else 0


async def run_own_tasks_only(sizes: Sizes, with_cosmos: bool) -> int:
    """`--only own-tasks`: that section alone, its rows on stdout; on the Cosmos DB server
    too with `--cosmos`."""
    results = Results(sizes)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        cosmos = CosmosServer(port=free_port(), log_dir=tmp) if with_cosmos else None
        connector = FakeConnector()
        await connector.start()
        try:
            if cosmos is not None:
                cosmos.start()
            async with new_session() as session:
                await own_tasks_section(results, Http(session), connector.url, tmp, cosmos)
        finally:
            await connector.stop()
            if cosmos is not None:
                cosmos.stop()
    print(report.table(own_tasks_rows(results)), flush=True)
    return 1 if results.errors else 0


async def run_all(sizes: Sizes, write_docs: bool) -> int:
    """Every section, the table on stdout, docs/benchmarks.md; the exit status."""
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
                await measure_all(results, cosmos, connector, Http(session), connector.url, tmp)
                await fleet_sections(results, cosmos, Http(session), connector.url, tmp)
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
                findings=findings_text(results, rows),
                method=method_text(sizes),
                details=details_text(results) + fleet_text(results),
                profile=results.bots.get("embedded", BotRun()).profile,
            )
        )
        progress(f"wrote {DOCS.relative_to(PROJECT_ROOT)}")
    progress(f"done in {elapsed / 60:.1f} min")
    return 1 if results.errors else 0


async def run_fleet_only(sizes: Sizes) -> int:
    """`--only fleet`: many tenants, scale and two processes (issue 22 items 2, 4, 5) alone,
    their rows and their docs text on stdout."""
    results = Results(sizes)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        cosmos = CosmosServer(port=free_port(), log_dir=tmp)
        connector = FakeConnector()
        await connector.start()
        try:
            cosmos.start()
            async with new_session() as session:
                await fleet_sections(results, cosmos, Http(session), connector.url, tmp)
        finally:
            await connector.stop()
            cosmos.stop()
    print(report.table(fleet_rows(results)), fleet_text(results), sep="\n", flush=True)
    return 1 if results.errors else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run with small sizes (figures not valid)"
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="print the table only; leave docs/ alone"
    )
    parser.add_argument(
        "--only",
        choices=["reports", "own-tasks", "fleet"],
        help="run one section alone and print its rows (docs/ left alone)",
    )
    parser.add_argument(
        "--cosmos", action="store_true", help="with --only own-tasks: on Cosmos DB too"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    if args.only == "reports":
        sys.exit(asyncio.run(run_reports_only(sizes)))
    if args.only == "fleet":
        sys.exit(asyncio.run(run_fleet_only(sizes)))
    if args.only == "own-tasks":
        sys.exit(asyncio.run(run_own_tasks_only(sizes, args.cosmos)))
    write_docs = not args.no_docs and not args.quick
    sys.exit(asyncio.run(run_all(sizes, write_docs)))
