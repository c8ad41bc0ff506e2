"""The router and the flows through the real adapter: a typed command is a verb typed out,
a no-op click sends Teams no update, drafts belong to the engagement, bad data changes
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.context import FlowContext, Reply
from dialogs.flows import all_flows
from dialogs.router import Router, Routes
from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from tests import activities as a
from tests.harness import BotHarness
from tests.plugins.connector import FakeConnector
from tests.test_walkthrough import VALID_FORM, click, installed, set_up

TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
OTHER_CHANNEL = "19:another-channel@thread.tacv2"


async def typed(bot: BotHarness, connector: FakeConnector, text: str, **kw: Any) -> list[Any]:
    connector.reset()
    status, _ = await bot.send(a.message(bot.service_url, text, **kw))
    assert status in (200, 201)
    return connector.cards("POST")


@pytest.mark.parametrize(
    ("text", "verb", "data"),
    [
        ("status", "status.show", {}),
        ("phase assess", "phase.show", {"phase": "assess"}),
        ("단계 평가", "phase.show", {"phase": "평가"}),
        ("general", "phase.show", {"phase": "general"}),
        ("settings", "setup.show", {}),
        ("help", "help.show", {}),
    ],
)
async def test_a_typed_command_answers_what_its_button_answers(
    bot, connector, text: str, verb: str, data: dict[str, Any]
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    [card] = await typed(bot, connector, text)
    body = await click(bot, verb, data)
    assert body["value"] == card


async def test_my_tasks_typed_in_a_personal_chat_is_the_button_s_list(bot, connector) -> None:
    personal = {"conversation": "a:personal-1", "conversation_type": "personal"}
    [card] = await typed(bot, connector, "my tasks", **personal)
    body = await click(bot, "mytasks.show", {}, **personal)
    assert body["value"] == card


async def test_a_click_that_changes_nothing_sends_teams_no_second_update(bot, connector) -> None:
    await installed(bot, connector)
    done = {"task": "initiate.start-onboarding"}
    await click(bot, "task.done", done)
    assert len(connector.sent("PUT")) == 1
    second = await click(bot, "task.done", done)  # a double click: a new activity, same state
    assert second["type"] == "application/vnd.microsoft.card.adaptive"
    assert len(connector.sent("PUT")) == 1


async def test_a_draft_is_the_engagement_s_in_every_channel_of_the_team(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot, timeZone="Mars/Olympus", name="Fabrikam rollout")
    form = (await click(bot, "setup.show", {}, conversation=OTHER_CHANNEL))["value"]
    values = {e["id"]: e.get("value") for e in form["body"] if "id" in e}
    assert values["name"] == "Fabrikam rollout" and values["timeZone"] == "Mars/Olympus"


@pytest.mark.parametrize("page", ["²", "٣", "-1", "", "1000", 3])
async def test_a_page_that_is_no_small_ascii_number_is_refused(bot, connector, page) -> None:
    await installed(bot, connector)
    status, body = await bot.send(
        a.click(bot.service_url, "phase.show", {"phase": "general", "page": page})
    )
    assert status == 400 and body["statusCode"] == 400, body
    assert "'page'" in body["value"]["message"]


async def test_a_typed_phase_name_of_any_length_is_an_unknown_phase(bot, connector) -> None:
    await installed(bot, connector)
    [card] = await typed(bot, connector, "phase " + "x" * 500)
    assert "x" * 40 in str(card) and "x" * 41 not in str(card)


def test_every_command_runs_a_registered_verb() -> None:
    router = all_flows()
    assert router.command_verb("general") == "phase.show"
    assert router.command_verb("start") == router.command_verb("next") == "phase.walk"
    assert {router.command_verb(c) for c in router.commands} <= router.verbs


async def _nothing(ctx: FlowContext) -> Reply:
    return Reply(())


def test_the_router_refuses_a_verb_registered_twice() -> None:
    first, second = Routes(), Routes()
    first.verb("status.show")(_nothing)
    second.verb("status.show")(_nothing)
    with pytest.raises(ValueError, match="registered twice"):
        Router(first, second, unknown_command=_nothing)


def test_the_router_refuses_commands_the_vocabulary_does_not_know() -> None:
    routes = Routes()
    routes.verb("status.show", command="status")(_nothing)
    with pytest.raises(ValueError, match="commands without a route or words"):
        Router(routes, unknown_command=_nothing)


def test_the_router_refuses_a_command_bound_to_no_verb() -> None:
    from dialogs.commands import COMMANDS

    routes = Routes()
    for spec in COMMANDS:
        routes.command(spec.name, verb="nowhere.show")
    with pytest.raises(ValueError, match="unknown verbs"):
        Router(routes, unknown_command=_nothing)


async def test_setup_draft_is_a_document_of_the_engagement(bot, connector) -> None:
    """Stored in the engagement's own partition, and dropped by a valid save."""
    await installed(bot, connector)
    await set_up(bot, timeZone="Mars/Olympus")
    assert bot.store is not None
    repo = EngagementRepository(bot.store)
    draft = await repo.setup_draft(TEAM.id)
    assert draft is not None and draft["timeZone"] == "Mars/Olympus"
    await set_up(bot, **VALID_FORM)
    assert await repo.setup_draft(TEAM.id) is None
