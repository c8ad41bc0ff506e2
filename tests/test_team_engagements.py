"""Issue 16 item 9: `status` in a personal chat also lists the team engagements the person
belongs to, each with a button that opens its overview there; the button carries only the
engagement's id, and every open checks that the person is a member (recorded when they acted
in its conversation or were named its manager, and still listed by Teams)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from domain.engagement import EngagementKey
from storage.base import Document, DocumentStore
from testkit import CountingStore, FakeConnector, card_actions
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

TEAM_ENGAGEMENT = EngagementKey(a.TENANT, f"team:{a.TEAM}")
KIM = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
LEE = {"id": "29:user3", "name": "Lee Jun", "aadObjectId": "aad-user3"}
TASK = "initiate.readiness-meeting"


class MembershipWrites(CountingStore):
    """Counts the writes of membership entries (`member-…` in a person's partition)."""

    def __init__(self, inner: DocumentStore) -> None:
        super().__init__(inner)
        self.membership_writes = 0

    async def upsert(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        self.membership_writes += doc_id.startswith("member-")
        return await super().upsert(pk, doc_id, body)


@pytest.fixture
async def counted_bot(
    store_factory: Callable[[], DocumentStore], connector: FakeConnector
) -> AsyncIterator[BotHarness]:
    harness = BotHarness(lambda: MembershipWrites(store_factory()), connector.url)
    await harness.start()
    yield harness
    await harness.stop()


def personal(sender: dict[str, str]) -> dict[str, Any]:
    return {
        "conversation": f"a:personal-{sender['id']}",
        "conversation_type": "personal",
        "sender": sender,
    }


async def personal_status(bot: BotHarness, connector: FakeConnector, sender: dict[str, str]) -> Any:
    connector.calls.clear()
    status, _ = await bot.send(a.message(bot.service_url, "status", **personal(sender)))
    assert status in (200, 201)
    return connector.cards("POST")[-1]


def open_buttons(card: Any) -> list[dict[str, Any]]:
    return [x for x in card_actions(card) if x.get("verb") == "engagement.open"]


async def team_with_kim(bot: BotHarness, connector: FakeConnector) -> None:
    """A team engagement set up (manager: User One) where Kim opened a task's card."""
    await installed(bot, connector)
    await set_up(bot, language="en")
    await click(bot, "task.show", {"task": TASK}, sender=KIM)


async def test_a_person_who_clicked_in_a_channel_sees_and_opens_it_in_their_personal_chat(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await team_with_kim(bot, connector)
    card = await personal_status(bot, connector, KIM)
    text = json.dumps(card, ensure_ascii=False)
    assert "Your team engagements" in text and "Contoso EMS rollout" in text
    [button] = open_buttons(card)
    assert button["data"] == {"engagement": TEAM_ENGAGEMENT.id}, "only a lookup key"

    answer = await click(bot, "engagement.open", button["data"], **personal(KIM))
    opened = json.dumps(answer["value"], ensure_ascii=False)
    assert "Contoso EMS rollout" in opened and "Current phase: Initiate" in opened
    # Read-only here: a phase button would act on the personal chat's own engagement.
    verbs = {x.get("verb") for x in card_actions(answer["value"])}
    assert verbs == {"mytasks.show", "status.show"}


async def test_the_welcome_of_a_new_personal_chat_lists_them_too(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await team_with_kim(bot, connector)
    connector.calls.clear()
    for activity in a.install(bot.service_url, **personal(KIM)):
        await bot.send(activity)
    [welcome] = connector.cards("POST")
    assert [b["data"] for b in open_buttons(welcome)] == [{"engagement": TEAM_ENGAGEMENT.id}]


async def test_the_named_manager_sees_it_before_acting_there(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en", projectManager="aad-user2")  # User One names Kim
    card = await personal_status(bot, connector, KIM)
    assert [b["data"] for b in open_buttons(card)] == [{"engagement": TEAM_ENGAGEMENT.id}]


async def test_an_owner_named_there_sees_it_too(bot: BotHarness, connector: FakeConnector) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await click(bot, "task.save", {"task": TASK, "owner": "aad-user2"})  # User One names Kim
    card = await personal_status(bot, connector, KIM)
    [button] = open_buttons(card)
    answer = await click(bot, "engagement.open", button["data"], **personal(KIM))
    assert "Contoso EMS rollout" in json.dumps(answer["value"], ensure_ascii=False)


async def test_someone_who_never_acted_there_does_not_see_it_and_a_forged_key_is_refused(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await team_with_kim(bot, connector)
    card = await personal_status(bot, connector, LEE)
    assert open_buttons(card) == []
    assert "Your team engagements" not in json.dumps(card)

    # Lee forges Kim's button: a well-formed key of a real engagement.
    answer = await click(
        bot, "engagement.open", {"engagement": TEAM_ENGAGEMENT.id}, **personal(LEE)
    )
    refused = json.dumps(answer, ensure_ascii=False)
    assert "not a member of that engagement" in refused
    assert "Contoso EMS rollout" not in refused and "Initiate" not in refused
    # A made-up key: the same refusal; a malformed one: a bad request.
    made_up = {"engagement": "eng-" + "0" * 40}
    answer = await click(bot, "engagement.open", made_up, **personal(KIM))
    assert "not a member of that engagement" in json.dumps(answer)
    status, _ = await bot.send(
        a.click(bot.service_url, "engagement.open", {"engagement": "team:x"}, **personal(KIM))
    )
    assert status == 400


async def test_a_person_teams_no_longer_lists_is_refused_and_no_longer_sees_it(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await team_with_kim(bot, connector)
    connector.members = [m for m in connector.members if m["id"] != KIM["id"]]
    answer = await click(
        bot, "engagement.open", {"engagement": TEAM_ENGAGEMENT.id}, **personal(KIM)
    )
    assert "not a member of that engagement" in json.dumps(answer)
    assert open_buttons(await personal_status(bot, connector, KIM)) == []


async def test_leaving_the_team_takes_it_off_the_list(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await team_with_kim(bot, connector)
    left = a.install(bot.service_url)[0]
    del left["membersAdded"]
    left["membersRemoved"] = [{"id": KIM["id"], "aadObjectId": KIM["aadObjectId"]}]
    status, _ = await bot.send(left)
    assert status in (200, 201)
    assert open_buttons(await personal_status(bot, connector, KIM)) == []


async def test_clicks_record_the_membership_once(
    counted_bot: BotHarness, connector: FakeConnector
) -> None:
    """The click's hot path: after the first turn of a person in a conversation, no write
    of its membership, read or click."""
    bot = counted_bot
    store = bot.store
    assert isinstance(store, MembershipWrites)
    await team_with_kim(bot, connector)
    written = store.membership_writes
    for task in ("initiate.readiness-meeting", "initiate.start-onboarding"):
        await click(bot, "task.done", {"task": task}, sender=KIM)
    await bot.send(a.message(bot.service_url, "status", sender=KIM, mention=True))
    assert store.membership_writes == written
