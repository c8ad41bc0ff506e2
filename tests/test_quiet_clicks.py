"""Issue 18, item 6: a click logs no warning (Teams' channelData carries fields botbuilder's
model lacks; msrest warned about them on every click that listed the members)."""

from __future__ import annotations

import logging

from testkit import activities as a
from tests.steps import installed


async def test_a_click_with_teams_channel_data_logs_no_warning(bot, connector, caplog) -> None:
    await installed(bot, connector)
    click = a.click(bot.service_url, "task.show", {"task": "initiate.readiness-meeting"})
    # What Teams and the Agents Playground put on a click's channelData besides the tenant.
    click["channelData"] |= {"source": {"name": "message"}, "legacy": {"replyToId": "1"}}
    caplog.clear()
    with caplog.at_level(logging.INFO):
        status, _ = await bot.send(click)
    assert status == 200
    assert connector.sent("GET"), "the details card lists the members (where it warned)"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
