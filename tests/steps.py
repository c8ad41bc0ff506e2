"""Steps the scenario suites share: install the bot, click, set the engagement up."""

from __future__ import annotations

from typing import Any

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
