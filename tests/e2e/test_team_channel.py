"""The team channel on the Agents Playground's page: installation in the team, commands by
@mention, a Done click that updates the shared card for everyone, and the nudge."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from domain.engagement import Engagement, EngagementKey
from storage.embedded import EmbeddedStore
from storage.repository import EngagementRepository
from tests.e2e import expect as x
from tests.e2e.stack import Stack, http_post

pytestmark = pytest.mark.e2e

GENERAL = "My Team - General"
TASK = x.first_task("assess", "en")


@pytest.fixture(scope="module")
def people(stack: Stack) -> dict[str, str]:
    assert stack.playground is not None
    config = stack.playground.config()
    return {
        "me": config["currentUser"]["name"],
        "bot": config["bot"]["name"],
        "team": config["teams"][0]["id"],
        "tenant": config["tenantId"],
    }


def test_channel_welcome_on_installation(stack: Stack) -> None:
    # Opening the channel adds the app to the team: the welcome is posted in the channel.
    page = stack.page
    page.select(GENERAL)
    page.wait_card(x.t("en", "welcome.title"))
    page.screenshot("10-channel-welcome.png", x.t("en", "welcome.title"))
    assert len(page.cards()) == 1


def test_channel_status_by_mention(stack: Stack, people: dict[str, str]) -> None:
    page = stack.page
    page.select(GENERAL)
    page.send("status", mention=people["bot"])
    overview = page.wait_card(x.t("en", "overview.title"), fresh=True)
    assert x.t("en", "welcome.title") not in overview["text"]
    for phase in x.PHASES:
        assert x.percent_after(overview["text"], x.phase_name(phase, "en")) == 0
    page.screenshot("11-channel-overview.png", x.t("en", "overview.title"))


def test_channel_done_updates_the_shared_card(stack: Stack, people: dict[str, str]) -> None:
    page = stack.page
    page.select(GENERAL)
    page.send("phase assess", mention=people["bot"])
    card = page.wait_card(x.phase_name("assess", "en"), TASK, fresh=True)
    before = len(page.cards())
    seen = len(page.frames())

    clicked = page.click([TASK], x.t("en", "action.done"), within=TASK, unfold=x.unfold("en"))
    done = x.done_by(people["me"], "en")
    updated = page.wait_card(x.done_line(TASK), clicked=clicked["clicked"])
    assert updated["index"] == card["index"]
    assert len(page.cards()) == before
    # Besides the invoke response, the bot updated the channel's card for everyone (PUT on
    # the activity): the Playground pushed that update to the page for the reply thread.
    update = page.wait_frame(
        lambda f: (
            f["action"] == "updateMessage"
            and f["conversationId"].startswith(people["team"] + ";messageid=")
            and done in f["text"]
        ),
        "the bot's in-place update of the channel card",
    )
    assert update in page.frames(seen)
    page.screenshot("12-channel-phase-done.png", x.done_line(TASK), clicked=clicked["clicked"])


def test_nudge_appears_in_the_channel(stack: Stack, people: dict[str, str]) -> None:
    run = f"{stack.bot.url}/api/nudges/run"
    # A nudge is due at the first scheduled slot after the engagement was created (or last
    # nudged), by the real clock. To have one due now, the channel's engagement is moved a
    # week back in the bot's own store while the bot is stopped; then it starts again.
    engagement = EngagementKey(people["tenant"], f"team:{people['team']}").id
    port = stack.bot.port
    stack.bot.stop()
    asyncio.run(created_earlier(stack.bot.data_dir, engagement, timedelta(days=8)))
    stack.bot.start(port)

    page = stack.page
    page.select(GENERAL)
    page.mark_seen()
    status, report = http_post(run, {"Authorization": f"Bearer {stack.bot.nudge_secret}"})
    assert status == 200, report
    assert engagement in report["sent"], report
    # Posted proactively to the channel: a new post, not a reply in a thread.
    nudge = page.wait_card(x.t("en", "nudge.kicker"), fresh=True)
    assert x.t("en", "nudge.unowned") in nudge["text"]
    page.screenshot("13-channel-nudge.png", x.t("en", "nudge.kicker"))


async def created_earlier(data_dir: Path, engagement_id: str, by: timedelta) -> None:
    store = EmbeddedStore(data_dir)
    await store.open()
    try:

        def move(engagement: Engagement) -> None:
            engagement.created_at -= by

        await EngagementRepository(store).update(engagement_id, move)
    finally:
        await store.close()
