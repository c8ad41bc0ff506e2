"""The router and the flows through the real adapter: a typed command is a verb typed out,
a no-op click sends Teams no update, drafts belong to the engagement, bad data changes
nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dialogs.context import CardData, FlowContext, Reply
from dialogs.flows import all_flows
from dialogs.router import Router, Routes
from dialogs.scope import TurnScope
from dialogs.services import Services
from domain.catalog import default_catalog
from domain.engagement import Actor, EngagementKey
from domain.notes import NOTE_PREFIX
from domain.profile import Channel, Person
from storage.base import Document, StoreUnavailable
from storage.embedded import EmbeddedStore
from storage.repository import EngagementRepository
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import VALID_FORM, click, installed, set_up

CATALOG = default_catalog()
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

    def clicked_card_updates() -> int:
        return sum(put.path.endswith("/activities/card-1") for put in connector.sent("PUT"))

    await click(bot, "task.done", done)
    assert clicked_card_updates() == 1
    second = await click(bot, "task.done", done)  # a double click: a new activity, same state
    assert second["type"] == "application/vnd.microsoft.card.adaptive"
    assert clicked_card_updates() == 1


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


def test_commands_run_the_verbs_of_their_buttons() -> None:
    commands = all_flows().commands
    assert commands["general"] == commands["phase"] == "phase.show"
    assert commands["status"] == "status.show" and commands["my tasks"] == "mytasks.show"
    assert commands["start"] == commands["next"] == "phase.walk"


@pytest.mark.parametrize("verb", ["phase.walk", "help.show"])
async def test_a_view_only_typed_commands_open_is_refused_as_a_click(bot, connector, verb) -> None:
    await installed(bot, connector)
    status, body = await bot.send(a.click(bot.service_url, verb, {}))
    assert status == 400 and "unknown verb" in body["value"]["message"]


async def test_a_draft_keeps_only_the_form_s_inputs(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot, timeZone="Mars/Olympus", junk="x" * 150, view="task")
    assert bot.store is not None
    draft = await EngagementRepository(bot.store).setup_draft(TEAM.id)
    assert draft is not None and draft["timeZone"] == "Mars/Olympus"
    assert "junk" not in draft and "view" not in draft


class NothingPosted:
    """A Poster for flows that are not expected to post anything themselves."""

    async def post(self, reference: dict[str, Any], card: Any) -> str | None:
        raise AssertionError("unexpected post")

    async def post_to_personal_chat(
        self, reference: dict[str, Any], person_id: str, card: Any
    ) -> str | None:
        raise AssertionError("unexpected chat")

    async def update(self, reference: dict[str, Any], activity_id: str, card: Any) -> None:
        raise AssertionError("unexpected update")


class NotesUnavailable(EmbeddedStore):
    """The embedded store, unable to list a task's notes (what the details card reads)."""

    async def list_partition(self, pk: str, id_prefix: str) -> list[Document]:
        if id_prefix.startswith(NOTE_PREFIX):
            raise StoreUnavailable("notes unavailable")
        return await super().list_partition(pk, id_prefix)


async def test_an_announcement_is_made_even_if_the_answer_then_fails(tmp_path) -> None:
    """A change's announcement (here: a signed phase back in progress) is saved with the
    change and goes to the context's announcements at once; the edge posts them whatever the
    flow does next (here the details card cannot read its notes)."""
    store = NotesUnavailable(tmp_path / "data")
    await store.open()
    try:
        services = Services(EngagementRepository(store), CATALOG)
        scope = TurnScope(
            TEAM, Actor("29:user1", "User One"), "29:user1", "en", "channel", "op-0", {"x": 1}
        )

        async def roster(*, fresh: bool = False) -> list[Person]:
            return [scope.actor.person]

        async def no_channels() -> list[Channel]:
            return []

        async def cannot_say(reference: dict[str, Any] | None, member_id: str) -> None:
            return None

        def context(op_id: str, verb_data: dict[str, str]) -> FlowContext:
            return FlowContext(
                replace(scope, op_id=op_id),
                CardData(verb_data),
                services,
                roster,
                NothingPosted(),
                no_channels,
                cannot_say,
            )

        router = all_flows()
        await router.click("setup.show", context("op-setup", {}))  # User One runs it
        tasks = [t.id for t in CATALOG.tasks_of("initiate") if not t.optional]
        for n, task_id in enumerate(tasks, 1):
            ctx = context(f"op-{n}", {"task": task_id})
            await router.click("task.done", ctx)
            assert ctx.announcements == []
        ctx = context("op-sign", {"phase": "initiate", "side": "customer"})
        await router.click("phase.signoff", ctx)
        assert ["Initiate is complete" in str(a.card) for a in ctx.announcements] == [True]
        ctx = context("op-reopen", {"task": tasks[-1], "view": "task"})
        with pytest.raises(StoreUnavailable):
            await router.click("task.reopen", ctx)
        [announcement] = ctx.announcements
        assert announcement.reference == {"x": 1}
        assert "Initiate is back in progress" in str(announcement.card)
    finally:
        await store.close()


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
