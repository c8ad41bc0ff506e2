"""Steps the scenario suites share: install the bot, click, set the engagement up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.config import Settings
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness

VALID_FORM = {
    "name": "Contoso EMS rollout",
    "services": "aad_premium,intune",
    "kickoff": "2026-12-01",
    "target.initiate": "2026-12-15",
    "target.assess": "2027-01-15",
    "target.remediate": "2027-02-15",
    "target.enable": "2027-03-31",
    "projectManager": "aad-user1",
    "timeZone": "Asia/Seoul",
    "language": "ko",
    "nudgeDays": "0,2,4",
    "nudgeHour": "10",
}


async def installed(bot: BotHarness, connector: FakeConnector) -> None:
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    connector.calls.clear()


async def click(bot: BotHarness, verb: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
    status, body = await bot.send(a.click(bot.service_url, verb, data, **kw))
    assert status == 200, body
    return body


async def set_up(bot: BotHarness, **overrides: str) -> dict[str, Any]:
    return await click(bot, "setup.save", {**VALID_FORM, **overrides})


# The secret of the scheduler endpoints (/api/nudges/run, /api/reports/run) in these tests.
RUN_SECRET = "s3cret-for-tests"


@asynccontextmanager
async def two_instances(
    store_factory: Any, connector: FakeConnector, start: datetime
) -> AsyncIterator[tuple[list[BotHarness], dict[str, datetime]]]:
    """Two bot processes on one store, schedulers off, sharing a clock the test moves
    (`clock["now"]`)."""
    clock = {"now": start}
    settings = Settings(nudges_enabled=False, nudge_run_secret=RUN_SECRET)
    bots = [
        BotHarness(store_factory, connector.url, clock=lambda: clock["now"], settings=settings)
        for _ in range(2)
    ]
    for bot in bots:
        await bot.start()
    try:
        yield bots, clock
    finally:
        for bot in bots:
            await bot.stop()


async def run_scheduled(bot: BotHarness, path: str) -> dict[str, list[str]]:
    """What an external scheduler's call to `path` (e.g. /api/nudges/run) reports."""
    assert bot.session is not None
    headers = {"Authorization": f"Bearer {RUN_SECRET}"}
    async with bot.session.post(bot.make_url(path), headers=headers) as r:
        assert r.status == 200
        return await r.json()
