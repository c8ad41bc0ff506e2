"""An engagement from setup to its first finished phase, in Korean, as its project manager
runs it on the Agents Playground's page (issue 4): the setup form from the welcome card, a
task's owner, due date and note on its details card, "내 작업" in the personal chat, and the
Initiate phase signed off by the project manager, then its completion announced.

All of it is done in the page, by clicking and typing: the Playground's own date pickers
(typed dates), drop-downs and people picker. The engagement lives in the team's General
channel, where the people picker offers the team's members; in the personal chat it offers
only the current user.

What the Playground 0.2.28 does differently from Teams, and how the steps deal with it:
- It stamps "locale": "en-US" on every activity it sends. The bot answers in English until
  the engagement's language is set to 한국어, so the first setup form is in English; the
  personal chat has no engagement set up, but "내 작업" is answered in Korean there (a
  person's own views answer in the language of the words they typed).
- Its people picker lists the conversation's members from its own roster (not the card's
  static choices), sends their Playground ids (user-id-N), and does not show a preset value
  (the card's `value`) although it still sends it: opening the settings again shows the
  project manager's picker empty, so it is picked again there, as a person would.

The steps build on each other, in file order, on one stack for the module."""

from __future__ import annotations

import io
import json
import urllib.request
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.e2e import expect as x
from tests.e2e.stack import Page, Stack

pytestmark = pytest.mark.e2e

GENERAL = "My Team - General"
PERSONAL = "Personal Chat"
NAME = "Contoso EMS 온보딩"
NOTE = "킥오프 일정 확정: 고객 측 참석자 명단은 금요일까지 공유"
SIGNOFF_COMMENT = "착수 회의 완료, 참석자 명단 확인"
ZONE = "Asia/Seoul"
INITIATE = x.phase_name("initiate", "ko")
ASSESS = x.phase_name("assess", "ko")
# The Initiate phase has two tasks: the first goes to a colleague, the second to me.
THEIRS, MINE = x.task_titles("initiate", "ko")

TODAY = datetime.now(ZoneInfo(ZONE)).date()
KICKOFF = TODAY
TARGETS = {phase: TODAY + timedelta(weeks=2 + 4 * i) for i, phase in enumerate(x.PHASES)}
THEIR_DUE = TODAY + timedelta(days=10)
MY_DUE = TODAY + timedelta(days=12)


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def picker_date(day: date) -> str:
    """How the Playground's date picker (en-US page) shows a date typed into it as
    YYYY-MM-DD: "December 9, 2026"."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


@pytest.fixture(scope="module")
def people(stack: Stack) -> dict[str, str]:
    assert stack.playground is not None
    config = stack.playground.config()
    team = config["teams"][0]
    users = {user["id"]: user for user in config["users"]}
    colleague = users[team["members"][0]]
    return {
        "me": config["currentUser"]["name"],
        "bot": config["bot"]["name"],
        "colleague": colleague["name"],
        "general": team["channels"][0]["id"],
    }


def press(
    page: Page,
    card: list[str],
    button: str,
    *shows: str,
    within: str | None = None,
    update: str | None = None,
    unfold: bool = False,
) -> dict[str, Any]:
    """Clicks `button` on the card and waits until that card (updated in place) shows every
    one of `shows`. A click that changes the engagement also updates the channel's card for
    everyone: with `update`, waits for that update (a text it carries) too, so that nothing
    renders the card again while the next input is being filled. With `unfold`, the task
    `within` names is unfolded first (a phase card folds each task's buttons)."""
    seen = len(page.frames())
    clicked = page.click(card, button, within=within, unfold=x.unfold("ko") if unfold else None)
    shown = page.wait_card(*shows, clicked=clicked["clicked"])
    if update is not None:
        page.wait_frame(
            lambda f: f["action"] == "updateMessage" and update in f["text"],
            f"the channel card's update with {update!r}",
            since=seen,
        )
    return shown


def test_setup_in_korean(stack: Stack, people: dict[str, str]) -> None:
    page = stack.page
    page.select(GENERAL)
    welcome = x.t("en", "welcome.title")
    page.wait_card(welcome)
    form = [x.t("en", "setup.title")]
    press(page, [welcome], x.t("en", "action.setup"), *form)

    def label(key: str, **params: object) -> str:
        return x.t("en", key, **params)

    assert page.fill(form, label("setup.name"), NAME) == NAME
    assert page.fill(form, label("setup.kickoff"), KICKOFF.isoformat()) == picker_date(KICKOFF)
    for phase, target in TARGETS.items():
        shown = page.fill(
            form, label("setup.target", phase=x.phase_name(phase, "en")), target.isoformat()
        )
        assert shown == picker_date(target)
    # The project manager: me, picked from the people the Playground's picker offers.
    assert page.choose(form, label("setup.manager"), people["me"]) == people["me"]
    # The colleague is the FastTrack engineer (a guest, in Teams), picked the same way.
    engineers = label("setup.fasttrack")
    assert page.choose(form, engineers, people["colleague"]) == people["colleague"]
    assert page.fill(form, label("setup.time_zone"), ZONE) == ZONE
    assert page.choose(form, label("setup.language"), "한국어") == "한국어"
    page.screenshot("30-walkthrough-setup-form.png", *form)

    saved = press(
        page,
        form,
        x.t("en", "action.save_setup"),
        x.t("ko", "setup.saved"),
        NAME,
        update=x.t("ko", "setup.saved"),
    )
    # From now on the engagement speaks Korean, whatever locale the Playground sends.
    assert x.t("ko", "overview.current", phase=INITIATE) in saved["text"]
    assert x.t("ko", "overview.next_up") in saved["text"]
    assert x.t("en", "action.settings") not in saved["text"].split("\n")
    # The roles, on the overview.
    assert x.t("ko", "role.fasttrack") in saved["text"] and people["colleague"] in saved["text"]
    page.screenshot("31-walkthrough-setup-saved.png", x.t("ko", "setup.saved"), NAME)

    # The settings again: the form is in Korean now and shows what was saved.
    form_ko = [x.t("ko", "setup.title")]
    press(page, [NAME], x.t("ko", "action.settings"), *form_ko, x.t("ko", "setup.name"))
    assert page.shown(form_ko, x.t("ko", "setup.name")) == NAME
    assert page.shown(form_ko, x.t("ko", "setup.kickoff")) == picker_date(KICKOFF)
    target = x.t("ko", "setup.target", phase=INITIATE)
    assert page.shown(form_ko, target) == picker_date(TARGETS["initiate"])
    assert page.shown(form_ko, x.t("ko", "setup.time_zone")) == ZONE
    assert page.shown(form_ko, x.t("ko", "setup.language")) == "한국어"
    assert page.choose(form_ko, x.t("ko", "setup.manager"), people["me"]) == people["me"]
    page.screenshot("32-walkthrough-setup-ko.png", *form_ko)
    # Saved unchanged: the person sees the overview; the channel's card needs no update.
    press(page, form_ko, x.t("ko", "action.save_setup"), x.t("ko", "setup.saved"), NAME)


def test_task_details_owner_due_and_note(stack: Stack, people: dict[str, str]) -> None:
    page = stack.page
    page.select(GENERAL)
    phase = press(
        page,
        [NAME],
        x.t("ko", "action.open_phase", phase=INITIATE),
        x.t("ko", "phase.goal"),
        THEIRS,
        MINE,
    )
    assert x.t("ko", "phase.target") in phase["text"]  # its date: see the last test

    # A colleague's task: owner from the people picker, a due date and a note, one Save.
    owner_label = x.t("ko", "input.owner.label")
    card = [THEIRS, owner_label]
    press(page, [THEIRS], x.t("ko", "action.details"), *card, within=THEIRS, unfold=True)
    assert page.choose(card, owner_label, people["colleague"]) == people["colleague"]
    colleague = people["colleague"]
    owner_line = x.t("ko", "task.owner", owner=colleague)
    due = x.t("ko", "input.due.label")
    assert page.fill(card, due, THEIR_DUE.isoformat()) == picker_date(THEIR_DUE)
    due_line = x.t("ko", "task.due", date=x.day(THEIR_DUE, "ko"))
    assert page.fill(card, x.t("ko", "input.note.label"), NOTE) == NOTE
    page.screenshot("33-walkthrough-details-form.png", *card)
    fields = ", ".join(x.t("ko", f"task.saved.{f}") for f in ("owner", "due", "note"))
    saved = x.t("ko", "task.saved", fields=fields)
    # The card @mentions the owner: Teams notifies them; the Playground shows the name.
    details = press(
        page,
        card,
        x.t("ko", "action.save_task"),
        saved,
        owner_line,
        due_line,
        NOTE,
        update=f"<at>{colleague}</at>",
    )
    for line in (owner_line, due_line, x.t("ko", "task.notes", count=1, latest=NOTE)):
        assert line in details["text"], line
    page.screenshot("34-walkthrough-task-details.png", THEIRS, owner_line, NOTE)

    # My task: a due date, then taken with 내가 맡기.
    phase = press(
        page, card, x.t("ko", "action.back_to_phase", phase=INITIATE), x.t("ko", "phase.goal")
    )
    assert owner_line in phase["text"] and due_line in phase["text"]
    card = [MINE, owner_label]
    press(page, [MINE], x.t("ko", "action.details"), *card, within=MINE, unfold=True)
    my_line = x.t("ko", "task.owner", owner=people["me"])
    # Take it saves the rest of the form too: the due date typed before it is kept.
    assert page.fill(card, due, MY_DUE.isoformat()) == picker_date(MY_DUE)
    my_due = x.t("ko", "task.due", date=x.day(MY_DUE, "ko"))
    shown = press(page, card, x.t("ko", "action.take"), my_line, update=f"<at>{people['me']}</at>")
    assert my_due in shown["text"]
    page.screenshot("35-walkthrough-my-task.png", MINE, my_line)


def test_my_tasks_in_personal_chat(stack: Stack, people: dict[str, str]) -> None:
    page = stack.page
    page.select(PERSONAL)
    page.send("내 작업")
    # In Korean, the language of the words typed, though the Playground sends "en-US" (the
    # module's docstring): a person's own list answers in the language they use.
    mine = page.wait_card(x.t("ko", "mytasks.title"), MINE, fresh=True)
    assert NAME in mine["text"]
    assert x.t("ko", "task.due", date=x.day(MY_DUE, "ko")) in mine["text"]
    assert THEIRS not in mine["text"], "the colleague's task is not in my list"
    page.screenshot("36-walkthrough-my-tasks.png", x.t("ko", "mytasks.title"), MINE)


def test_signing_off_initiate_announces_assess(stack: Stack, people: dict[str, str]) -> None:
    """Its last task settled, Initiate waits for the project manager's sign-off (issue 21);
    the signature completes it, and the completion is announced with what comes next."""
    page = stack.page
    page.select(GENERAL)
    press(
        page,
        [MINE, x.t("ko", "input.owner.label")],
        x.t("ko", "action.back_to_phase", phase=INITIATE),
        x.t("ko", "phase.goal"),
        THEIRS,
        MINE,
    )
    done = x.done_by(people["me"], "ko")
    press(
        page,
        [THEIRS, MINE],
        x.t("ko", "action.done"),
        x.done_line(THEIRS),
        within=THEIRS,
        update=done,
        unfold=True,
    )
    ready = x.t("ko", "signoff.ready")
    assert ready not in page.wait_card(x.done_line(THEIRS), MINE)["text"]
    press(
        page,
        [THEIRS, MINE],
        x.t("ko", "action.done"),
        ready,
        within=MINE,
        update=ready,
        unfold=True,
    )
    customer = x.t("ko", "signoff.side.customer")
    waiting = x.t("ko", "signoff.waiting", side=customer, people=people["me"])
    card = page.wait_card(ready, waiting)
    assert x.t("ko", "phase.complete") not in card["text"], "settled is not complete"
    headline = x.t("ko", "announce.phase_complete", phase=INITIATE)
    assert not any(headline in text for text in page.cards()), "nothing announced yet"

    # Sign off: the button unfolds a comment box; Confirm signs.
    page.click([ready], x.t("ko", "action.sign_off"))
    comment = x.t("ko", "input.signoff_comment.label")
    assert page.fill([ready, comment], comment, SIGNOFF_COMMENT) == SIGNOFF_COMMENT
    page.screenshot("37-walkthrough-signoff-ready.png", ready, comment)
    page.mark_seen()
    seen = len(page.frames())
    signed = press(
        page,
        [ready, comment],
        x.t("ko", "action.confirm_sign_off"),
        x.t("ko", "phase.complete"),
        update=x.t("ko", "phase.complete"),
    )
    assert SIGNOFF_COMMENT in signed["text"]
    assert f"{customer}: {people['me']}님이 승인함" in signed["text"]
    page.screenshot("38-walkthrough-signed-off.png", x.t("ko", "phase.complete"), SIGNOFF_COMMENT)
    # Posted to the channel on its own (a new post, not the clicked card), with what comes
    # next: the Assess phase's introduction.
    announcement = page.wait_card(headline, fresh=True)
    for text in (
        x.t("ko", "intro.kicker"),
        ASSESS,
        x.t("ko", "intro.must_do"),
        x.first_task("assess", "ko"),
        x.t("ko", "action.open_phase", phase=ASSESS),
    ):
        assert text in announcement["text"], text
    posted = page.wait_frame(
        lambda f: f["action"] == "createMessage" and headline in f["text"],
        "the announcement posted to the channel",
        since=seen,
    )
    assert posted["conversationId"] == people["general"]
    assert sum(headline in text for text in page.cards()) == 1, "announced once"
    page.screenshot("39-walkthrough-announcement.png", headline)


def test_phase_target_date_reads_as_a_date(stack: Stack) -> None:
    """A Korean date at the start of a card text must not read as a markdown numbered list."""
    page = stack.page
    page.select(GENERAL)
    # The announcement's introduction of Assess has that phase's header with its target.
    headline = x.t("ko", "announce.phase_complete", phase=INITIATE)
    announcement = page.wait_card(headline)
    assert x.t("ko", "phase.target") in announcement["text"]
    assert x.day(TARGETS["assess"], "ko") in announcement["text"]


def test_the_assess_card_is_one_line_per_task(stack: Stack) -> None:
    """Opened from the announcement: each task one line, its buttons folded until unfolded."""
    page = stack.page
    page.select(GENERAL)
    headline = x.t("ko", "announce.phase_complete", phase=INITIATE)
    tasks = x.task_titles("assess", "ko")
    phase = press(
        page,
        [headline],
        x.t("ko", "action.open_phase", phase=ASSESS),
        x.t("ko", "phase.goal"),
        *tasks,
    )
    assert x.t("ko", "action.done") not in phase["text"].split("\n"), "folded: no task buttons"
    page.screenshot("40-walkthrough-assess-compact.png", x.t("ko", "phase.goal"), *tasks)
    page.click(tasks, x.unfold("ko"), within=tasks[0])
    unfolded = page.wait_card(*tasks, x.t("ko", "action.done"))
    assert unfolded["text"].split("\n").count(x.t("ko", "action.done")) == 1, "one task unfolded"
    page.screenshot("41-walkthrough-assess-unfolded.png", *tasks, x.t("ko", "action.done"))


def test_report_with_its_chart_and_export_links(stack: Stack, people: dict[str, str]) -> None:
    page = stack.page
    page.select(GENERAL)
    page.send("보고서", mention=people["bot"])
    kicker = x.t("ko", "report.kicker")
    report = page.wait_card(kicker, NAME, fresh=True)
    assert x.t("ko", "report.schedule") in report["text"]
    # The chart is on the bot (PUBLIC_BASE_URL), and the page loads it from there.
    [chart] = page.images([kicker, NAME])
    assert chart["src"].startswith(f"{stack.bot.url}/files/"), chart["src"]
    assert chart["width"] > 0 and chart["height"] > 0, "the page could not load the chart"
    page.screenshot("42-walkthrough-report.png", kicker, NAME)

    seen = len(page.frames())
    page.send("내보내기", mention=people["bot"])
    xlsx = x.t("ko", "export.xlsx")
    page.wait_card(x.t("ko", "export.title"), xlsx, x.t("ko", "export.csv"), fresh=True)
    posted = page.wait_frame(lambda f: xlsx in f["text"], "the export card", since=seen)
    [link] = [
        action["url"]
        for card in json.loads(posted["text"])
        for action in card["content"]["actions"]
        if action.get("title") == xlsx
    ]
    assert link.startswith(f"{stack.bot.url}/files/"), link
    with urllib.request.urlopen(link, timeout=30) as response:
        workbook = load_workbook(io.BytesIO(response.read()), read_only=True)
    assert len(workbook.sheetnames) == 5  # checklist, history, notes, own tasks, minutes
    checklist = [row for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert any(MINE in row for row in checklist) and any(THEIRS in row for row in checklist)
    page.screenshot("43-walkthrough-export.png", x.t("ko", "export.title"), xlsx)
