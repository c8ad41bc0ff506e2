"""Issue 18, item 5: the setup form's searchable time zone choice. Teams' typeahead sends an
`application/search` invoke; the bot answers the matching zones (Korea first in Korean), and
a zone picked there is saved; the typed field still works without it."""

from __future__ import annotations

from typing import Any

from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from testkit import activities as a
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")


def search(bot: BotHarness, query: Any, locale: str = "en-US", **value: Any) -> dict[str, Any]:
    activity = a.click(bot.service_url, "unused", locale=locale)
    activity["name"] = "application/search"
    activity["value"] = {
        "dataset": "timezones",
        "queryText": query,
        "queryOptions": {"skip": 0, "top": 15},
    } | value
    return activity


async def test_the_search_answers_matching_zones(bot, connector) -> None:
    await installed(bot, connector)
    status, body = await bot.send(search(bot, "new york"))
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.search.searchResponse"
    [result] = body["value"]["results"]
    assert result["value"] == "America/New_York" and "UTC-0" in result["title"]
    # Korean forms see Korea first; at most the `top` asked for.
    status, body = await bot.send(search(bot, "", locale="ko-KR"))
    results = body["value"]["results"]
    assert results[0]["value"] == "Asia/Seoul" and len(results) == 15


async def test_a_malformed_search_is_refused(bot, connector) -> None:
    await installed(bot, connector)
    for bad in (search(bot, "x", dataset="other"), search(bot, 7), search(bot, "x" * 65)):
        status, _ = await bot.send(bad)
        assert status == 400, bad["value"]


async def test_a_zone_picked_from_the_search_is_saved(bot, connector) -> None:
    await installed(bot, connector)
    form = await click(bot, "setup.show", {})
    choice = next(i for i in form["value"]["body"] if i.get("id") == "timeZoneChoice")
    assert choice["choices.data"] == {"type": "Data.Query", "dataset": "timezones"}
    await set_up(bot, timeZoneChoice="America/New_York", timeZone="Asia/Seoul")
    assert bot.store is not None
    saved = await EngagementRepository(bot.store).get(TEAM.id)
    assert saved is not None and saved.profile is not None
    assert saved.profile.time_zone == "America/New_York"
