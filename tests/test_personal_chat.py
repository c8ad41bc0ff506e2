"""Issue 16 item 9: a personal chat's engagement is the person's, whatever its conversation id."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.catalog import default_catalog
from domain.engagement import Actor, Engagement, EngagementKey, TaskStatus
from storage.repository import EngagementRepository
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import click

TASK = "initiate.start-onboarding"
PERSON = EngagementKey(a.TENANT, "person:aad-user1")


def personal(conversation: str) -> dict[str, str]:
    return {"conversation": conversation, "conversation_type": "personal"}


async def status_of(bot: BotHarness, key: EngagementKey) -> TaskStatus | None:
    assert bot.store is not None
    engagement = await EngagementRepository(bot.store).get(key.id)
    return engagement.record(TASK).status if engagement else None


async def test_a_task_done_in_a_personal_chat_stays_done_in_the_next_chat(bot, connector) -> None:
    """The local client opens a new personal conversation at every start."""
    await click(bot, "task.done", {"task": TASK}, **personal("a:chat-before-restart"))
    await bot.restart()
    body = await click(bot, "task.show", {"task": TASK}, **personal("a:chat-after-restart"))
    assert "Reopen" in str(body["value"])
    assert await status_of(bot, PERSON) is TaskStatus.DONE
    # The bot's own posts go to the chat the person uses now.
    assert bot.store is not None
    engagement = await EngagementRepository(bot.store).get(PERSON.id)
    assert engagement is not None and engagement.conversation_reference is not None
    assert engagement.conversation_reference["conversation"]["id"] == "a:chat-after-restart"


async def test_another_person_s_personal_chat_is_their_own(bot, connector) -> None:
    await click(bot, "task.done", {"task": TASK}, **personal("a:chat-1"))
    other = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
    body = await click(bot, "task.show", {"task": TASK}, sender=other, **personal("a:chat-2"))
    assert "Reopen" not in str(body["value"])


async def test_an_engagement_stored_under_the_chat_s_conversation_id_keeps_working(
    bot, connector
) -> None:
    """Today's stored form: a personal chat's engagement keyed by its conversation id."""
    assert bot.store is not None
    repo = EngagementRepository(bot.store)
    legacy = EngagementKey(a.TENANT, "a:legacy-chat")
    engagement = _personal_engagement(legacy)
    await repo.create_if_missing(engagement)
    body = await click(bot, "task.show", {"task": TASK}, **personal("a:legacy-chat"))
    assert "Reopen" in str(body["value"])
    await click(bot, "task.reopen", {"task": TASK}, **personal("a:legacy-chat"))
    assert await status_of(bot, legacy) is TaskStatus.OPEN
    assert await status_of(bot, PERSON) is None  # nothing split off under the new key


def _personal_engagement(key: EngagementKey) -> Engagement:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    engagement = Engagement(key, "personal", at, locale="en-US")
    engagement.set_task_status(
        default_catalog(),
        task_id=TASK,
        status=TaskStatus.DONE,
        actor=Actor("29:user1", "User One", "aad-user1"),
        at=at,
        op_id="legacy-op",
    )
    return engagement
