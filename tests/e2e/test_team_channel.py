"""The team channel on the Agents Playground's page: installation in the team, commands by
@mention, a Done click that updates the shared card for everyone, and the nudge."""

from __future__ import annotations

import pytest

from domain.engagement import EngagementKey
from tests.e2e import expect as x
from tests.e2e.stack import Stack
from tests.e2e.steps import change_stored, digest_due, run_nudges

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


def test_live_cards_bring_the_earlier_overview_up_to_date(
    stack: Stack, people: dict[str, str]
) -> None:
    """The overview posted by `status` before the Done click on the phase card (a second
    card) is updated in place by the bot (live cards): the Playground receives the update
    for that message and redraws it where it was, with Assess no longer at 0 %."""
    page = stack.page
    page.select(GENERAL)
    title = x.t("en", "overview.title")
    # The overview `status` posted (the welcome shows the overview too, under its title).
    [posted] = [
        f
        for f in page.frames()
        if f["action"] == "createMessage"
        and title in f["text"]
        and x.t("en", "welcome.title") not in f["text"]
    ]
    page.wait_frame(
        lambda f: f["action"] == "updateMessage" and f["messageId"] == posted["messageId"],
        "the bot's update of the earlier overview",
    )
    assess = x.phase_name("assess", "en")
    overview = page.wait_card(title, x.t("en", "overview.next_up"))
    assert (x.percent_after(overview["text"], assess) or 0) > 0, overview["text"]
    assert len([c for c in page.cards() if title in c]) == 2, "updated in place, not reposted"
    page.screenshot("14-channel-live-overview.png", title, x.t("en", "overview.next_up"))


def test_my_tasks_send_to_my_chat(stack: Stack, people: dict[str, str]) -> None:
    """`my tasks` in a channel: the Playground shows the placeholder (it does not run the
    card's refresh for the person, as Teams does), so its Send to my chat is the way. The
    Playground 0.2.28 does create the 1:1 chat (createConversation) and shows the list in
    its Personal Chat."""
    page = stack.page
    page.select(GENERAL)
    page.send("my tasks", mention=people["bot"])
    send = x.t("en", "mytasks.send")
    page.wait_card(x.t("en", "mytasks.send_hint"), fresh=True)
    page.mark_seen()
    clicked = page.click([send], send)
    answer = page.wait_card(x.t("en", "mytasks.sent"), clicked=clicked["clicked"])
    assert x.t("en", "mytasks.send_failed") not in answer["text"]
    page.screenshot("15-channel-send-to-my-chat.png", x.t("en", "mytasks.sent"))
    page.wait_frame(
        lambda f: (
            f["action"] == "createMessage"
            and not f["conversationId"].startswith(people["team"])
            and x.t("en", "mytasks.title") in f["text"]
        ),
        "the list posted to the new 1:1 chat",
    )
    page.select("Personal Chat")
    page.wait_card(x.t("en", "mytasks.title"), x.t("en", "mytasks.none"))
    page.screenshot("16-personal-my-tasks-sent.png", x.t("en", "mytasks.title"))


def test_nudge_appears_in_the_channel(stack: Stack, people: dict[str, str]) -> None:
    engagement = EngagementKey(people["tenant"], f"team:{people['team']}").id
    change_stored(stack, engagement, digest_due)

    page = stack.page
    page.select(GENERAL)
    page.mark_seen()
    assert engagement in run_nudges(stack)["sent"]
    # Posted proactively to the channel: a new post, not a reply in a thread.
    nudge = page.wait_card(x.t("en", "nudge.kicker"), fresh=True)
    assert x.t("en", "nudge.unowned") in nudge["text"]
    page.screenshot("13-channel-nudge.png", x.t("en", "nudge.kicker"))


def test_the_personal_chat_lists_and_opens_the_team_engagement(stack: Stack) -> None:
    """`status` in the personal chat lists the team engagement the person acted in; `Open`
    shows its overview there (the team's progress, not the personal chat's own)."""
    page = stack.page
    page.select("Personal Chat")
    page.send("status")
    listed = x.t("en", "teams.title")
    page.wait_card(listed, fresh=True)
    page.screenshot("17-personal-team-engagements.png", listed)
    clicked = page.click([listed], x.t("en", "teams.open"))
    opened = page.wait_card(x.t("en", "teams.opened"), clicked=clicked["clicked"])
    assert (x.percent_after(opened["text"], x.phase_name("assess", "en")) or 0) > 0
    page.screenshot("18-personal-team-overview.png", x.t("en", "teams.opened"))
