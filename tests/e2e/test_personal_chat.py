"""A person's path in the personal chat, on the Agents Playground's page: the welcome on
installation, the overview, marking a task done on the phase card, and a bot restart.

The steps build on each other, in file order, on one stack for the module."""

from __future__ import annotations

import pytest

from tests.e2e import expect as x
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e

PERSONAL = "Personal Chat"
TASK = x.first_task("assess", "en")


@pytest.fixture(scope="module")
def me(stack: Stack) -> str:
    assert stack.playground is not None
    name: str = stack.playground.config()["currentUser"]["name"]
    return name


def test_welcome_card_on_installation(stack: Stack) -> None:
    # Opening the page installs the app in the personal chat (conversationUpdate and
    # installationUpdate): the bot answers once with its welcome card.
    page = stack.page
    welcome = page.wait_card(x.t("en", "welcome.title"))
    assert x.t("en", "overview.title") in welcome["text"]
    page.screenshot("01-personal-welcome.png", x.t("en", "welcome.title"))
    assert len(page.cards()) == 1, "one welcome, although the Playground sent two install events"


def test_status_shows_overview_with_progress(stack: Stack) -> None:
    page = stack.page
    page.select(PERSONAL)
    page.send("status")
    overview = page.wait_card(x.t("en", "overview.title"), fresh=True)
    for phase in x.PHASES:
        name = x.phase_name(phase, "en")
        assert x.percent_after(overview["text"], name) == 0, f"{name} progress in {overview}"
    page.screenshot("02-personal-overview.png", x.t("en", "overview.title"))


def test_done_updates_phase_card_in_place(stack: Stack, me: str) -> None:
    page = stack.page
    page.select(PERSONAL)
    page.send("phase assess")
    card = page.wait_card(x.phase_name("assess", "en"), TASK, fresh=True)
    assert x.done_line(TASK) not in card["text"]
    # Compact: one line per task; a task's buttons are folded until its line is unfolded.
    assert x.t("en", "action.done") not in card["text"].split("\n")
    page.screenshot("03-personal-phase-compact.png", x.phase_name("assess", "en"), TASK)
    before = len(page.cards())

    clicked = page.click([TASK], x.t("en", "action.done"), within=TASK, unfold=x.unfold("en"))
    # The same card (the same element on the page) now shows the task done: the invoke
    # response replaced it in place, no new message was added.
    updated = page.wait_card(x.done_line(TASK), clicked=clicked["clicked"])
    assert updated["index"] == card["index"]
    assert len(page.cards()) == before
    # Unfolded, the task says who settled it.
    page.click([x.done_line(TASK)], x.unfold("en"), within=TASK)
    page.wait_card(x.done_line(TASK), x.done_by(me, "en"))
    page.screenshot("03-personal-phase-done.png", x.done_by(me, "en"))

    page.send("status")
    overview = page.wait_card(x.t("en", "overview.title"), fresh=True)
    assert (x.percent_after(overview["text"], x.phase_name("assess", "en")) or 0) > 0
    page.screenshot("04-personal-overview-progress.png", x.t("en", "overview.title"))


def test_done_survives_bot_restart(stack: Stack, me: str) -> None:
    stack.bot.restart()
    page = stack.page
    page.select(PERSONAL)
    page.send("phase assess")
    card = page.wait_card(x.phase_name("assess", "en"), TASK, fresh=True)
    assert x.done_line(TASK) in card["text"], card["text"]
    page.screenshot("05-personal-after-restart.png", x.done_line(TASK))


CHECKLIST = [
    "Enable MFA for admins",
    "Retire the legacy VPN | | | after the pilot",
    "Review the Conditional Access policies",
]


def test_a_pasted_checklist_becomes_tasks_of_the_phase(stack: Stack) -> None:
    """`add task`: a short checklist pasted into the form, checked, created; the phase card
    shows the tasks with their buttons."""
    page = stack.page
    page.select(PERSONAL)
    page.send("add task")
    form = [x.t("en", "own.title"), x.t("en", "own.lines")]
    page.wait_card(*form, fresh=True)
    remediate = x.phase_name("remediate", "en")
    assert page.choose(form, x.t("en", "own.phase"), remediate) == remediate
    page.fill(form, x.t("en", "own.lines"), "\n".join(CHECKLIST))
    preview = x.t("en", "own.preview", count=3, phase=remediate)
    clicked = page.click(form, x.t("en", "action.check_tasks"))
    page.wait_card(preview, clicked=clicked["clicked"])
    create = x.t("en", "action.create_tasks", count=3)
    clicked = page.click([preview], create)
    titles = ["Enable MFA for admins", "Retire the legacy VPN", "Review the Conditional"]
    # One line per task, each with the toggle that unfolds its description and buttons.
    toggle = x.unfold("en")
    phase = page.wait_card(remediate, *titles, toggle, clicked=clicked["clicked"])
    assert phase["text"].count(toggle) >= 3
    page.screenshot("06-personal-own-tasks.png", remediate, *titles, clicked=clicked["clicked"])


ACTION_ITEMS = [
    "Invite the network team | {me} | 2030-01-15",
    "Share the remediation timeline | {me} | 2030-01-20",
    "Book the AAD Connect server | {me} | 2030-01-31",
]


def test_a_meeting_with_action_items_becomes_minutes_and_tasks(stack: Stack, me: str) -> None:
    """`meeting`: the Initiate readiness meeting just held, its attendee picked, notes,
    a decision and three action items, each with an owner and a due date; Save shows the
    minutes with the three tasks they became."""
    page = stack.page
    page.select(PERSONAL)
    page.send("meeting")
    initiate = x.phase_name("initiate", "en")
    form = [x.t("en", "meeting.form_title", phase=initiate), x.t("en", "meeting.kind")]
    page.wait_card(*form, fresh=True)
    attendees = x.t("en", "meeting.attendees")
    assert page.choose(form, attendees, me) == me
    page.fill(form, x.t("en", "meeting.notes"), "Participants briefed; timeline confirmed")
    page.fill(form, x.t("en", "meeting.decisions"), "Pilot with the IT department first")
    lines = "\n".join(line.format(me=me) for line in ACTION_ITEMS)
    page.fill(form, x.t("en", "meeting.action_items"), lines)
    page.screenshot("07-personal-meeting-form.png", *form)
    clicked = page.click(form, x.t("en", "action.save_meeting"))
    titles = [line.split(" | ")[0] for line in ACTION_ITEMS]
    saved = page.wait_card(
        x.t("en", "meeting.saved"),
        "Engagement readiness meeting",
        *titles,
        clicked=clicked["clicked"],
    )
    assert "Pilot with the IT department first" in saved["text"]
    page.screenshot(
        "07-personal-meeting.png", x.t("en", "meeting.saved"), clicked=clicked["clicked"]
    )
    page.send("status")
    overview = page.wait_card(x.t("en", "overview.title"), fresh=True)
    assert "Last meeting: Engagement readiness meeting" in overview["text"]
