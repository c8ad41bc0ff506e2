"""The weekly status report: posted to the engagement's channel at the setup's day and hour,
once per week with two instances racing over one store, through the real adapter."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from testkit import FakeConnector
from testkit import activities as a
from tests.card_schema import card_errors
from tests.harness import BotHarness
from tests.steps import VALID_FORM, run_scheduled, two_instances

SUNDAY = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Monday 30 Nov 2026 09:05 in Seoul: just after the default Monday 09:00 report slot.
MONDAY = datetime(2026, 11, 30, 0, 5, tzinfo=UTC)


@pytest.fixture
async def two_bots(store_factory, connector: FakeConnector):
    async with two_instances(store_factory, connector, SUNDAY) as instances:
        yield instances


async def run_reports(bot: BotHarness) -> dict[str, list[str]]:
    return await run_scheduled(bot, "/api/reports/run")


def reports(connector: FakeConnector) -> list[dict]:
    """The status reports posted (the engagement is set up in Korean)."""
    return [
        c for c in connector.cards("POST") if "상태 보고서" in json.dumps(c, ensure_ascii=False)
    ]


async def test_posted_once_per_week_by_two_instances_over_two_ticks(two_bots, connector) -> None:
    (first, second), clock = two_bots
    for activity in a.install(first.service_url):
        await first.send(activity)
    status, _ = await first.send(a.click(first.service_url, "setup.save", VALID_FORM))
    assert status == 200
    connector.calls.clear()
    # Sunday: nothing due yet.
    assert (await run_reports(first))["sent"] == []
    clock["now"] = MONDAY
    for _ in range(2):  # two scheduler ticks, both instances at once
        outcomes = await asyncio.gather(run_reports(first), run_reports(second))
        assert sum(len(o["failed"]) for o in outcomes) == 0
    [card] = reports(connector)
    assert card_errors(card) == []
    assert connector.sent("POST")[0].conversation_id == a.TEAM
    assert any(e["type"] == "Image" for e in card["body"])
    # Later that week: nothing more; the next Monday: the next report.
    clock["now"] = MONDAY + timedelta(days=3)
    await asyncio.gather(run_reports(first), run_reports(second))
    assert len(reports(connector)) == 1
    clock["now"] = MONDAY + timedelta(days=7)
    await asyncio.gather(run_reports(first), run_reports(second))
    assert len(reports(connector)) == 2


async def test_the_schedule_is_chosen_in_setup(two_bots, connector) -> None:
    (bot, _), clock = two_bots
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    form = {**VALID_FORM, "reportDay": "2", "reportHour": "15"}  # Wednesday 15:00 Seoul
    status, body = await bot.send(a.click(bot.service_url, "setup.show", {}))
    assert status == 200 and '"reportDay"' in json.dumps(body)
    status, _ = await bot.send(a.click(bot.service_url, "setup.save", form))
    assert status == 200
    connector.calls.clear()
    clock["now"] = MONDAY
    assert (await run_reports(bot))["sent"] == []
    clock["now"] = datetime(2026, 12, 2, 6, 1, tzinfo=UTC)  # Wednesday 15:01 in Seoul
    assert len((await run_reports(bot))["sent"]) == 1
    # A bad choice is refused on the form and nothing is saved.
    status, body = await bot.send(
        a.click(bot.service_url, "setup.save", {**form, "reportDay": "9"})
    )
    assert status == 200 and "목록에서 선택하세요." in json.dumps(body, ensure_ascii=False)
    # Nothing was saved: next Wednesday's report comes at 15:00 as before, not earlier.
    clock["now"] = datetime(2026, 12, 9, 5, 59, tzinfo=UTC)
    assert (await run_reports(bot))["sent"] == []
