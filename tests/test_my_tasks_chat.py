"""Issue 18, item 4: 'my tasks' in a channel offers to send the list to the person's
personal chat (a proactive 1:1 created through the Bot Connector), and says so on the card."""

from __future__ import annotations

import json
from typing import Any

from domain.catalog import default_catalog
from testkit import activities as a
from testkit import card_actions
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

CATALOG = default_catalog()
KIM = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
TASK = "assess.remediation-checklist"


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def kims_placeholder(bot: BotHarness, connector) -> dict[str, Any]:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await click(bot, "task.save", {"task": TASK, "owner": "aad-user2"})
    connector.calls.clear()
    await bot.send(a.message(bot.service_url, "my tasks", sender=KIM))
    return connector.cards("POST")[-1]


async def test_the_channel_placeholder_sends_the_list_to_the_personal_chat(bot, connector) -> None:
    placeholder = await kims_placeholder(bot, connector)
    assert "personal chat" in dump(placeholder)  # the card says what the button does
    assert placeholder["refresh"]["action"]["verb"] == "mytasks.show"  # refresh still there
    send = next(x for x in card_actions(placeholder) if x.get("verb") == "mytasks.send")
    connector.calls.clear()

    answer = await click(bot, send["verb"], send.get("data", {}), sender=KIM)

    [created] = connector.created()
    assert created.body["members"] == [{"id": "29:user2"}]
    assert created.body["isGroup"] is False
    assert created.body["channelData"] == {"tenant": {"id": a.TENANT}}
    [posted] = [c for c in connector.sent("POST") if c.conversation_id == "a:personal-29:user2"]
    assert CATALOG.task(TASK).title.en in dump(posted.body)
    assert "task.done" in dump(posted.body)  # the list acts from the personal chat
    assert "Sent: your task list is in your personal chat" in dump(answer["value"])
    # Only the clicker's view changes: the channel's message is not rewritten for everyone.
    assert not connector.sent("PUT")


async def test_a_personal_chat_that_cannot_be_opened_is_said_so(bot, connector) -> None:
    await kims_placeholder(bot, connector)
    connector.calls.clear()
    connector.fail_next(403, code="BotNotInConversationRoster")
    answer = await click(bot, "mytasks.send", {}, sender=KIM)
    assert "could not reach your personal chat" in dump(answer["value"])
    assert not [c for c in connector.sent("POST") if "/activities" in c.path]


async def test_a_second_send_posts_to_the_chat_created_the_first_time(bot, connector) -> None:
    """Issue 22: a person's 1:1 chat with the bot is remembered, not created per send."""
    await kims_placeholder(bot, connector)
    connector.calls.clear()
    for _ in range(2):
        answer = await click(bot, "mytasks.send", {}, sender=KIM)
        assert "Sent: your task list is in your personal chat" in dump(answer["value"])
    assert len(connector.created()) == 1
    posted = [c for c in connector.sent("POST") if c.conversation_id == "a:personal-29:user2"]
    assert len(posted) == 2


async def test_a_remembered_chat_teams_refuses_is_created_again(bot, connector) -> None:
    await kims_placeholder(bot, connector)
    await click(bot, "mytasks.send", {}, sender=KIM)
    for status in (403, 404):
        connector.calls.clear()
        connector.fail_next(status, code="ConversationNotFound")  # the post to the kept chat
        answer = await click(bot, "mytasks.send", {}, sender=KIM)
        assert "Sent: your task list is in your personal chat" in dump(answer["value"])
        assert len(connector.created()) == 1
        posts = [c for c in connector.sent("POST") if c.conversation_id == "a:personal-29:user2"]
        assert len(posts) == 2  # refused, then sent to the chat created again


async def test_a_person_who_blocked_the_bot_since_is_told_the_list_did_not_go(
    bot, connector
) -> None:
    await kims_placeholder(bot, connector)
    await click(bot, "mytasks.send", {}, sender=KIM)
    connector.blocked.add(KIM["id"])
    connector.calls.clear()
    answer = await click(bot, "mytasks.send", {}, sender=KIM)
    assert "could not reach your personal chat" in dump(answer["value"])
    assert len(connector.created()) == 1  # asked again once, refused
