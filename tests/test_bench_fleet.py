"""The benchmark's Cosmos DB cost model (benchmarks/cosmos_cost.py): Microsoft's published RU
by document size, and the bill computed from it."""

from __future__ import annotations

import pytest

from benchmarks import cosmos_cost as cost
from dialogs.due_run import BATCH


@pytest.mark.parametrize(("kib", "read", "write"), [(1, 1.00, 4.95), (4, 1.14, 6.67)])
def test_the_published_rows_are_met_exactly(kib: int, read: float, write: float) -> None:
    assert cost.read_ru(kib * 1024) == pytest.approx(read)
    assert cost.write_ru(kib * 1024) == pytest.approx(write)


def test_between_rows_the_charge_is_linear_and_small_documents_cost_the_first_row() -> None:
    assert cost.write_ru(3 * 1024) == pytest.approx((6.29 + 6.67) / 2)
    assert cost.read_ru(100) == pytest.approx(1.0)
    assert cost.write_ru(100 * 1024) > cost.write_ru(64 * 1024)


def test_a_click_is_one_write_a_read_now_and_then_and_a_share_of_an_audit_chunk() -> None:
    ops = cost.Operations(engagement_bytes=4 * 1024, audit_chunk_bytes=4 * 1024)
    expected = 6.67 + cost.READS_PER_CLICK * 1.14 + 6.67 / cost.CHANGES_PER_AUDIT_CHUNK
    assert ops.click == pytest.approx(expected)
    assert ops.view == pytest.approx(1.14)
    assert ops.nudge == pytest.approx(2 * 6.67 + 1.14 + cost.QUERY_BASE_RU / BATCH)


def test_the_bill_prices_the_month_serverless_and_provisioned() -> None:
    ops = cost.Operations(engagement_bytes=4 * 1024, audit_chunk_bytes=5 * 1024)
    small, large = cost.bill(ops, 1_000), cost.bill(ops, 10_000)
    assert small.serverless_usd == pytest.approx(small.monthly_ru / 1e6 * 0.25)
    # Ten times the engagements, about ten times the RU (the scheduler's ticks do not grow).
    assert 9 < large.monthly_ru / small.monthly_ru <= 10
    # 400 RU/s, the minimum, around the clock.
    assert small.provisioned_rus == 400
    assert small.provisioned_usd == pytest.approx(4 * 0.008 * 730)
