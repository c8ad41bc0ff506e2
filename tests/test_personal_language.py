"""Issue 18, item 6: a person's own views answer in the language they used (the words they
typed, their client's language), shared cards keep the engagement's language."""

from __future__ import annotations

import json
from typing import Any

from testkit import activities as a
from tests.steps import click, installed, set_up

KIM = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
PERSONAL = {"conversation": "a:kim", "conversation_type": "personal", "sender": KIM}


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def english_engagement(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await click(bot, "task.save", {"task": "assess.remediation-checklist", "owner": "aad-user2"})
    connector.calls.clear()


async def test_korean_words_get_a_korean_list_in_an_english_client(bot, connector) -> None:
    await english_engagement(bot, connector)
    await bot.send(a.message(bot.service_url, "내 작업", locale="en-US", **PERSONAL))
    card = dump(connector.cards("POST")[-1])
    assert "내 작업" in card and "My tasks" not in card


async def test_a_korean_client_sees_its_own_list_in_korean_and_shared_cards_in_english(
    bot, connector
) -> None:
    await english_engagement(bot, connector)
    # The channel's list view, refreshed for Kim alone by her Korean client.
    mine = await click(bot, "mytasks.show", {}, sender=KIM, locale="ko-KR")
    assert "내 작업" in dump(mine["value"])
    # Korean words in the English channel: the shared overview stays English.
    await bot.send(a.message(bot.service_url, "상태", locale="ko-KR", sender=KIM))
    overview = dump(connector.cards("POST")[-1])
    assert "Current phase" in overview and "현재 단계" not in overview
