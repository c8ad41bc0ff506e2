"""The table's rows for the reports section (benchmarks/reports.py)."""

from __future__ import annotations

from benchmarks.report import Row, verdict
from benchmarks.results import Results

REPORT_LIMIT_MS = 300.0
EXPORT_LIMIT_MS = 1000.0
RSS_GROWTH_LIMIT_MIB = 10.0
SECTION = "reports (embedded)"


def reports_rows(results: Results) -> list[Row]:
    run = results.reports
    if run is None:
        return [Row("8", "status report and export", "embedded", results.missing(SECTION))]
    size = f"{run.tasks} tasks, {run.history:,} history entries"
    return [
        Row(
            "8",
            f"status report card ({size})",
            "embedded",
            f"p50 {run.report_ms_p50:.0f} ms (n={len(run.report_ms)}); its chart PNG p50 "
            f"{run.chart_ms_p50:.0f} ms; {run.errors} errors",
            f"≤ {REPORT_LIMIT_MS:.0f} ms",
            verdict(run.report_ms_p50 <= REPORT_LIMIT_MS and run.errors == 0),
        ),
        Row(
            "8",
            f"export to .xlsx ({size})",
            "embedded",
            f"{run.export_ms:.0f} ms, {run.export_bytes / 1024:.0f} KiB",
            f"≤ {EXPORT_LIMIT_MS:.0f} ms",
            verdict(run.export_ms <= EXPORT_LIMIT_MS and run.export_bytes > 0),
        ),
        Row(
            "8",
            f"RSS growth of app.py over {run.reports_for_rss} reports with charts",
            "embedded",
            f"{run.rss_growth_mib:+.1f} MiB ({run.rss_before_mib:.0f} → "
            f"{run.rss_after_mib:.0f} MiB)",
            f"≤ {RSS_GROWTH_LIMIT_MIB:.0f} MiB",
            verdict(run.rss_growth_mib <= RSS_GROWTH_LIMIT_MIB),
        ),
    ]
