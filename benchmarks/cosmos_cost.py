"""Cosmos DB request units and monthly cost on paper (issue 22 item 4), from the document sizes
the benchmark measured (benchmarks/scale.py) and Microsoft's published figures. The local
Cosmos DB protocol server charges 1 RU for everything, so RU can only be computed here."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from dialogs.due_run import BATCH

# Read and write RU by document size, session consistency, default indexing: Microsoft's table
# in "Understand request unit consumption" (SIZES_URL). Between two rows, linear.
SIZES_URL = "https://learn.microsoft.com/azure/cosmos-db/understand-request-unit-consumption"
RU_BY_KB = (
    (1, 1.00, 4.95),
    (2, 1.04, 6.29),
    (4, 1.14, 6.67),
    (8, 1.33, 7.04),
    (16, 1.67, 9.52),
    (32, 2.19, 11.23),
    (64, 4.76, 22.67),
    (128, 9.95, 48.19),
    (256, 20.28, 98.29),
    (512, 40.95, 184.57),
    (1024, 145.90, 625.00),
    (2048, 291.80, 1250.00),
)
# Microsoft publishes no formula for a query's charge: an assumption of a query's own cost,
# on top of a point read's charge for every document it returns.
QUERY_BASE_RU = 2.5
# Prices, US regions, single-region account: "Understand your Azure Cosmos DB bill" and the
# pricing page (PRICES_URL). Provisioned: per 100 RU/s per hour, 400 RU/s at least.
PRICES_URL = "https://learn.microsoft.com/azure/cosmos-db/understand-your-bill"
PRICING_PAGE = "https://azure.microsoft.com/pricing/details/cosmos-db/"
SERVERLESS_PER_MILLION_RU = 0.25
PROVISIONED_PER_100_RUS_HOUR = 0.008
PROVISIONED_MINIMUM_RUS = 400
STORAGE_PER_GB_MONTH = 0.25
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = 30
WEEKS_PER_MONTH = 52 / 12

# The usage the issue prices: one click per task per week, a digest every day.
TASKS = 37
# A click's store round trips beyond its one conditional write: a read when another instance
# wrote since (the benchmark's click flood measured 1.05 round trips per click).
READS_PER_CLICK = 0.05
# The engagement's audit tail is archived every 20 changes (one chunk document).
CHANGES_PER_AUDIT_CHUNK = 20
# The scheduler's look for due engagements when none are due, per instance.
SCHEDULER_TICKS_PER_MONTH = 24 * 60 * DAYS_PER_MONTH


def _interpolate(kib: float, column: int) -> float:
    sizes = [row[0] for row in RU_BY_KB]
    if kib <= sizes[0]:
        return RU_BY_KB[0][column]
    i = min(bisect.bisect_left(sizes, kib), len(sizes) - 1)
    (k0, *r0), (k1, *r1) = RU_BY_KB[i - 1], RU_BY_KB[i]
    share = (kib - k0) / (k1 - k0)
    return r0[column - 1] + share * (r1[column - 1] - r0[column - 1])


def read_ru(size_bytes: int) -> float:
    return _interpolate(size_bytes / 1024, 1)


def write_ru(size_bytes: int) -> float:
    return _interpolate(size_bytes / 1024, 2)


@dataclass(frozen=True)
class Operations:
    """RU of the bot's operations for one engagement whose documents have these sizes."""

    engagement_bytes: int
    audit_chunk_bytes: int

    @property
    def click(self) -> float:
        """One conditional replace, a read now and then, an audit chunk every 20th change."""
        doc = self.engagement_bytes
        chunk = write_ru(self.audit_chunk_bytes) / CHANGES_PER_AUDIT_CHUNK
        return write_ru(doc) + READS_PER_CLICK * read_ru(doc) + chunk

    @property
    def view(self) -> float:
        """`status`, a phase card, `my tasks`' entry: views always read the engagement."""
        return read_ru(self.engagement_bytes)

    @property
    def nudge(self) -> float:
        """Per due engagement in a nudge run: its claim and its record (two conditional
        replaces) and its share of the due query (which returns the document)."""
        doc = self.engagement_bytes
        return 2 * write_ru(doc) + read_ru(doc) + QUERY_BASE_RU / BATCH

    def monthly_ru(self, engagements: int, instances: int = 1) -> float:
        clicks = engagements * TASKS * WEEKS_PER_MONTH * self.click
        digests = engagements * DAYS_PER_MONTH * self.nudge
        ticks = instances * SCHEDULER_TICKS_PER_MONTH * QUERY_BASE_RU
        return clicks + digests + ticks

    def digest_burst_ru(self, engagements: int) -> float:
        """The RU of one day's digests, if every engagement is in one time zone."""
        return engagements * self.nudge


@dataclass(frozen=True)
class Bill:
    engagements: int
    monthly_ru: float
    average_rus: float
    serverless_usd: float
    provisioned_rus: int
    provisioned_usd: float
    storage_gb: float
    storage_usd: float
    # Seconds one day's digests take at the provisioned RU/s (all in one zone).
    burst_seconds: float


def bill(ops: Operations, engagements: int) -> Bill:
    monthly = ops.monthly_ru(engagements)
    average = monthly / (DAYS_PER_MONTH * 86_400)
    provisioned = max(PROVISIONED_MINIMUM_RUS, -(-int(average * 2) // 100) * 100)
    # An engagement's documents: itself, and about one archive chunk per 20 changes a month.
    monthly_chunks = TASKS * WEEKS_PER_MONTH / CHANGES_PER_AUDIT_CHUNK
    storage_gb = engagements * (ops.engagement_bytes + 12 * monthly_chunks * ops.audit_chunk_bytes)
    storage_gb /= 1e9
    return Bill(
        engagements=engagements,
        monthly_ru=monthly,
        average_rus=average,
        serverless_usd=monthly / 1e6 * SERVERLESS_PER_MILLION_RU,
        provisioned_rus=provisioned,
        provisioned_usd=provisioned / 100 * PROVISIONED_PER_100_RUS_HOUR * HOURS_PER_MONTH,
        storage_gb=storage_gb,
        storage_usd=storage_gb * STORAGE_PER_GB_MONTH,
        burst_seconds=ops.digest_burst_ru(engagements) / provisioned,
    )
