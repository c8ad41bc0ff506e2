"""Issue 18 item 7: a phase card is one line per task; a task's description and buttons
unfold on demand (Action.ToggleVisibility), so a phase fits on one screen."""

from __future__ import annotations

import json
from typing import Any

from domain.catalog import default_catalog
from testkit import activities as a
from testkit import card_actions
from tests.card_schema import card_errors
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

CATALOG = default_catalog()
ASSESS = CATALOG.tasks_of("assess")


def visible(node: Any) -> Any:
    """The card as a person sees it before touching it: what isVisible=false hides is gone."""
    if isinstance(node, dict):
        if node.get("isVisible") is False:
            return None
        return {k: visible(v) for k, v in node.items() if k != "card"}  # a ShowCard's card
    if isinstance(node, list):
        return [v for v in (visible(item) for item in node) if v is not None]
    return node


def texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "TextBlock" else []
        return own + [t for v in node.values() for t in texts(v)]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []


async def assess_card(bot: BotHarness) -> dict[str, Any]:
    return (await click(bot, "phase.show", {"phase": "assess"}))["value"]


async def test_the_assess_card_shows_one_line_per_task_and_no_task_buttons(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    card = await assess_card(bot)
    assert card["version"] == "1.5" and card_errors(card) == []
    assert len(json.dumps(card, ensure_ascii=False).encode()) < 28 * 1024
    shown = visible(card)
    lines = texts(shown)
    for task in ASSESS:
        assert sum(task.title.en in line for line in lines) == 1, task.title.en
        assert task.description.en not in json.dumps(shown, ensure_ascii=False)
    verbs = {action.get("verb") for action in card_actions(shown["body"])}
    assert not {"task.done", "task.na", "task.show", "task.reopen"} & verbs
    toggles = [
        act for act in card_actions(shown["body"]) if act["type"] == "Action.ToggleVisibility"
    ]
    assert len(toggles) == len(ASSESS)
    # Each toggle unfolds its own task's description and buttons.
    hidden = {
        node["id"]: node
        for node in _nodes(card)
        if isinstance(node, dict) and node.get("isVisible") is False and "id" in node
    }
    for task, toggle in zip(ASSESS, toggles, strict=True):
        (target,) = toggle["targetElements"]
        unfolded = hidden[target]
        assert task.description.en in json.dumps(unfolded, ensure_ascii=False)
        verbs = [act.get("verb") for act in card_actions(unfolded)]
        assert verbs == ["task.done", None, "task.na", "task.show"]  # Done, N/A (its form), Details


def _nodes(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [node] + [n for v in node.values() for n in _nodes(v)]
    if isinstance(node, list):
        return [n for item in node for n in _nodes(item)]
    return []


async def test_a_folded_buttons_click_still_works_and_the_line_shows_the_status(
    bot, connector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    task = ASSESS[0]
    card = (await click(bot, "task.done", {"task": task.id}))["value"]
    lines = texts(visible(card))
    (line,) = [line for line in lines if task.title.en in line]
    assert line.startswith("✅ ")
    # Settled, its buttons stay folded too: Reopen is there once unfolded.
    assert "task.reopen" not in {act.get("verb") for act in card_actions(visible(card))}
    assert "task.reopen" in {act.get("verb") for act in card_actions(card)}


async def test_the_line_names_the_owner(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    task = ASSESS[1]
    await click(bot, "task.take", {"task": task.id, "view": "task"}, sender=a.USER)
    card = await assess_card(bot)
    (line,) = [line for line in texts(visible(card)) if task.title.en in line]
    assert "Owner: <at>" in line


async def test_notes_are_folded_on_the_phase_card_and_shown_on_the_details_card(
    bot, connector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    task = ASSESS[2]
    form = {"task": task.id, "view": "task", "owner": "", "due": "", "note": "Scan booked"}
    details = (await click(bot, "task.save", form))["value"]
    assert "📝 Notes: 1 · latest: Scan booked" in texts(details)
    card = await assess_card(bot)
    assert not any("Scan booked" in line for line in texts(visible(card)))
    assert "📝 Notes: 1 · latest: Scan booked" in texts(card)
