"""Issue 18 item 5 (in part): every time a card shows carries its zone."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.steps import click, installed, set_up


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_snooze_says_until_when_in_the_engagements_zone(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")  # Asia/Seoul
    body = await click(bot, "nudge.snooze", {})
    assert re.search(r"Reminders snoozed until [^.]* \d\d:\d\d KST\.", dump(body["value"]))


async def test_a_task_done_says_when_with_the_zone(bot, connector) -> None:
    await installed(bot, connector)
    body = await click(bot, "task.done", {"task": "initiate.start-onboarding"})
    # Not set up: the engagement's clock is UTC, and the card says so.
    assert re.search(r"Done · User One · [^\"]* \d\d:\d\d UTC", dump(body["value"]))
    await set_up(bot, timeZone="America/New_York", language="en")
    card = (await click(bot, "phase.show", {"phase": "initiate"}))["value"]
    assert re.search(r"Done · User One · [^\"]* \d\d:\d\d E[SD]T", dump(card))


async def test_the_reminder_hour_names_its_zone(bot, connector) -> None:
    await installed(bot, connector)
    form = (await click(bot, "setup.show", {}))["value"]
    hour = next(e for e in form["body"] if e.get("id") == "nudgeHour")
    assert "time zone above" in hour["label"]
