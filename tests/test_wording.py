"""Issue 18 item 6: wording and small defects, through the real adapter."""

from __future__ import annotations

import json
from typing import Any

from testkit import activities as a
from testkit import card_actions
from tests.steps import click, installed, set_up


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_one_note_is_not_1_notes(bot, connector) -> None:
    await installed(bot, connector)
    await click(bot, "task.save", {"task": "initiate.start-onboarding", "note": "Booked"})
    card = dump((await click(bot, "phase.show", {"phase": "initiate"}))["value"])
    assert "1 notes" not in card and "Notes: 1" in card


async def test_phase_without_a_name_lists_the_phases(bot, connector) -> None:
    await installed(bot, connector)
    await bot.send(a.message(bot.service_url, "phase"))
    (card,) = connector.cards("POST")
    assert "“”" not in dump(card) and "Which phase?" in dump(card)
    opens = {x["data"]["phase"] for x in card_actions(card) if x.get("verb") == "phase.show"}
    assert {"initiate", "assess", "remediate", "enable"} <= opens


async def test_the_project_manager_field_is_marked_required(bot, connector) -> None:
    await installed(bot, connector)
    form = (await click(bot, "setup.show", {}))["value"]
    manager = next(e for e in form["body"] if e.get("id") == "projectManager")
    assert manager["isRequired"] is True and manager["errorMessage"]


async def test_help_says_to_mention_the_bot_in_channels(bot, connector) -> None:
    await installed(bot, connector)
    await bot.send(a.message(bot.service_url, "help", mention=True))
    assert "@mention me" in dump(connector.cards("POST")[0])


async def test_a_success_notice_is_green_not_a_warning(bot, connector) -> None:
    await installed(bot, connector)
    saved = (await set_up(bot, language="en"))["value"]
    notice = next(e for e in saved["body"] if "Setup saved." in e.get("text", ""))
    assert notice["color"] == "Good"


async def test_phase_counts_show_what_is_settled_including_not_applicable(bot, connector) -> None:
    await installed(bot, connector)
    data = {"task": "initiate.start-onboarding", "reason.initiate.start-onboarding": "Done before"}
    await click(bot, "task.na", data)
    await bot.send(a.message(bot.service_url, "status"))
    shown = dump(connector.cards("POST")[-1])
    assert "1 settled (0 done, 1 not applicable) · 1 open" in shown


async def test_korean_details_card_chooses_its_particle(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot)  # in Korean
    card = dump(
        (await click(bot, "task.show", {"task": "remediate.complete-remediation"}))["value"]
    )
    assert "보완으로 돌아가기" in card and "(으)로" not in card
