"""The table's rows for the own-tasks section (benchmarks/own_tasks.py): a Done click and
`status` on a 300-task engagement against one on the catalog's 37."""

from __future__ import annotations

from benchmarks.report import Row, verdict
from benchmarks.results import BACKENDS, LABEL, Results

RATIO_LIMIT = 1.5


def section_name(backend: str) -> str:
    return f"own tasks ({backend})"


def own_tasks_rows(results: Results) -> list[Row]:
    rows: list[Row] = []
    for backend in BACKENDS:
        run = results.own_tasks.get(backend)
        if run is None:
            name = section_name(backend)
            rows.append(
                Row(
                    "9",
                    "Done click and `status`, 300 vs 37 tasks",
                    LABEL[backend],
                    results.missing(name),
                )
            )
            continue
        small, large = run.small, run.large
        rows += [
            Row(
                "9",
                f"store bytes written per Done click, {large.tasks} vs {small.tasks} tasks",
                LABEL[backend],
                f"{large.bytes_written / 1024:.1f} vs {small.bytes_written / 1024:.1f} KiB "
                f"(×{run.bytes_ratio:.2f}; n={large.clicks}/{small.clicks}); {run.errors} errors",
                f"≤ ×{RATIO_LIMIT}",
                verdict(run.bytes_ratio <= RATIO_LIMIT and run.errors == 0),
            ),
            Row(
                "9",
                f"server time per Done click (p50), {large.tasks} vs {small.tasks} tasks",
                LABEL[backend],
                f"{large.handler_ms_p50:.1f} vs {small.handler_ms_p50:.1f} ms "
                f"(×{run.time_ratio:.2f}); of it the store {large.store_ms_p50:.1f} vs "
                f"{small.store_ms_p50:.1f} ms",
                f"≤ ×{RATIO_LIMIT}",
                verdict(run.time_ratio <= RATIO_LIMIT and run.errors == 0),
            ),
            Row(
                "9",
                f"`status` server time (p50), {large.tasks} vs {small.tasks} tasks",
                LABEL[backend],
                f"{large.status_ms_p50:.1f} vs {small.status_ms_p50:.1f} ms "
                f"(×{run.status_ratio:.2f}; n={large.statuses}/{small.statuses}); of it the "
                f"store {large.status_store_ms_p50:.1f} vs {small.status_store_ms_p50:.1f} ms",
                f"≤ ×{RATIO_LIMIT}",
                verdict(run.status_ratio <= RATIO_LIMIT and run.errors == 0),
            ),
            Row(
                "9",
                f"`status` after another instance's change (p50), {large.tasks} vs "
                f"{small.tasks} tasks",
                LABEL[backend],
                f"{large.cold_status_ms_p50:.1f} vs {small.cold_status_ms_p50:.1f} ms "
                f"(×{run.cold_status_ratio:.2f}; n={large.cold_statuses}/{small.cold_statuses});"
                f" of it the store {large.cold_status_store_ms_p50:.1f} vs "
                f"{small.cold_status_store_ms_p50:.1f} ms",
                f"≤ ×{RATIO_LIMIT}",
                verdict(run.cold_status_ratio <= RATIO_LIMIT and run.errors == 0),
            ),
        ]
    return rows
