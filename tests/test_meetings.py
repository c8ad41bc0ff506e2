"""Issue 21 item 3: the meeting log, through the real adapter over HTTP on both backends."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.config import Settings
from cards.common import View
from cards.meeting import meeting_card, meeting_form_card
from domain.catalog import OTHER_MEETING, default_catalog
from domain.engagement import Actor, Engagement, EngagementKey
from domain.errors import BadMeetingLink, TooManyMeetings
from domain.meetings import (
    MAX_ACTION_ITEMS,
    MAX_ATTENDEES,
    MAX_LINK_CHARS,
    MAX_MEETING_TITLE_CHARS,
    MAX_MINUTES_CHARS,
    MAX_PLANNED,
    Meeting,
    MeetingSummary,
    teams_meeting_link,
)
from domain.own_tasks import parse_checklist
from domain.profile import Person
from storage.meetings import MeetingRepository
from storage.repository import EngagementRepository
from testkit import FakeConnector, card_actions
from testkit import activities as a
from tests.card_schema import CARD_BYTES_LIMIT, card_errors
from tests.harness import BotHarness
from tests.steps import VALID_FORM, run_scheduled, two_instances
from tests.test_reports import fetch, typed

CATALOG = default_catalog()
TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
KIM = Person("aad-user2", "Kim Minji")
ONE = Person("aad-user1", "User One")
COLLEAGUE = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
# 10:00 in Seoul, the engagement's zone.
NOW = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
JOIN = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjEx%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%22t%22%7d"
)
THREE_ITEMS = (
    "Open firewall ports 443 | Kim Minji | 2026-12-20 | see the network checklist\n"
    "Install the AAD Connect server | User One | 2026-12-22\n"
    "Draft the Company Portal terms of use | Kim Minji | 2027-01-05"
)


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


@pytest.fixture
async def meeting_bot(store_factory, connector: FakeConnector):
    clock = {"now": NOW}
    settings = Settings(nudges_enabled=False, link_signing_key="k" * 40)
    harness = BotHarness(
        store_factory, connector.url, clock=lambda: clock["now"], settings=settings
    )
    await harness.start()
    harness.clock_state = clock  # type: ignore[attr-defined]
    for activity in a.install(harness.service_url):
        await harness.send(activity)
    await click(harness, "setup.save", {**VALID_FORM, "language": "en"})
    connector.calls.clear()
    yield harness
    await harness.stop()


async def click(bot: BotHarness, verb: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
    status, body = await bot.send(a.click(bot.service_url, verb, data, **kw))
    assert status == 200, body
    return body


def texts(node: Any) -> str:
    """Every TextBlock's markdown in the card, one a line."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "TextBlock" else []
        return "\n".join(own + [texts(v) for v in node.values()])
    if isinstance(node, list):
        return "\n".join(texts(v) for v in node)
    return ""


def save_data(card: dict[str, Any]) -> dict[str, Any]:
    (data,) = [x["data"] for x in card_actions(card) if x.get("verb") == "meeting.save"]
    return dict(data)


async def open_form(bot: BotHarness, phase: str = "remediate") -> dict[str, Any]:
    card = (await click(bot, "meeting.new", {"phase": phase}))["value"]
    assert card_errors(card) == []
    return card


def form(**fields: str) -> dict[str, str]:
    """The form's inputs: a checkpoint meeting on 9 Dec at 15:00 in Seoul (held) unless told."""
    values = {
        "kind": "checkpoint",
        "title": "",
        "date": "2026-12-09",
        "time": "15:00",
        "attendees": "aad-user1,aad-user2",
        "notes": "",
        "decisions": "",
        "actionItems": "",
        "link": "",
    }
    return {**values, **fields}


async def stored(bot: BotHarness) -> Engagement:
    assert bot.store is not None
    engagement = await EngagementRepository(bot.store).get(TEAM.id)
    assert engagement is not None
    return engagement


async def meetings(bot: BotHarness) -> list[Meeting]:
    assert bot.store is not None
    return await MeetingRepository(bot.store).all(TEAM.id)


# The domain ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        JOIN,
        "https://teams.microsoft.com/meet/2468013579?p=Ab12Cd",
        "https://teams.live.com/meet/9312345678",
        "https://gov.teams.microsoft.us/l/meetup-join/19%3ameeting_x%40thread.v2/0",
        "https://teams.cloud.microsoft/meet/123456",
    ],
)
def test_teams_meeting_links_are_accepted(link: str) -> None:
    assert teams_meeting_link(f"  {link} ") == link


@pytest.mark.parametrize(
    "link",
    [
        "http://teams.microsoft.com/l/meetup-join/19%3ameeting_x",
        "https://teams.microsoft.com.evil.example/l/meetup-join/19%3ameeting_x",
        "https://evil.example/teams.microsoft.com/l/meetup-join/x",
        "https://teams.microsoft.com@evil.example/l/meetup-join/x",
        "https://user@teams.microsoft.com/l/meetup-join/x",
        "https://teams.microsoft.com:8443/l/meetup-join/x",
        "https://teams.microsoft.com./l/meetup-join/x",
        "https://teams.microsoft.com/l/chat/0/0?users=x",
        "https://teams.microsoft.com/dl/launcher/launcher.html?url=https://evil.example",
        "javascript:alert(1)//teams.microsoft.com/l/meetup-join/x",
        "https://xn--teams-microsoft.com/l/meetup-join/x",
        "https://teams.microsoft.com/l/meetup-join/x y",
        "https://teams.microsoft.com/l/meetup-join/" + "x" * 1_000,
    ],
)
def test_other_links_are_refused(link: str) -> None:
    with pytest.raises(BadMeetingLink):
        teams_meeting_link(link)


def test_each_phase_offers_the_seeds_meetings_and_other() -> None:
    kinds = {t.id: [(k.id, k.task_id) for k in t.meetings] for t in CATALOG.phases}
    assert kinds["initiate"] == [("readiness", "initiate.readiness-meeting")]
    assert [k for k, _ in kinds["assess"]] == [
        "remediation-plan",
        "user-provisioning",
        "service-configuration",
    ]
    assert kinds["remediate"] == [("checkpoint", "remediate.checkpoint-meeting")]
    assert kinds["enable"] == []
    assert CATALOG.track("initiate").meetings[0].title.ko == "프로젝트 준비 회의"
    view = View("ko", date(2026, 12, 10), "Asia/Seoul")
    card = meeting_form_card(
        CATALOG, CATALOG.track("enable"), view, [ONE], meeting_id="mtg-" + "0" * 16, form="0" * 16
    )
    (kind,) = [e for e in card["body"] if e.get("id") == "kind"]
    assert kind["choices"] == [{"title": "기타 회의", "value": OTHER_MEETING}]


def test_the_longest_meeting_card_stays_under_28_kb_and_valid() -> None:
    people = tuple(Person(f"aad-{n}", "김" * 60) for n in range(MAX_ATTENDEES))
    summary = MeetingSummary("mtg-" + "a" * 16, "assess", OTHER_MEETING, "회" * 100, NOW, JOIN)
    meeting = Meeting(
        summary, people, "메" * MAX_MINUTES_CHARS, "결" * MAX_MINUTES_CHARS, "", 3, ONE, NOW, "f"
    )
    engagement = Engagement(TEAM, "channel", NOW, installed_by=Actor("29:user1", "User One"))
    longest = "\n".join(f"{'작' * 150} | {KIM.id} | 2026-12-20" for _ in range(MAX_ACTION_ITEMS))
    items = parse_checklist(longest, [KIM]).items
    for save in (1, 2, 3):
        engagement.add_tasks(
            CATALOG,
            track_id="assess",
            items=items,
            actor=Actor("29:user1", "User One", "aad-user1"),
            at=NOW,
            op_id=f"op-{save}",
            batch=f"{summary.id}.{save}",
        )
    for lang in ("en", "ko"):
        view = View(lang, NOW.date(), "Asia/Seoul", NOW - timedelta(days=1))
        for card in (
            meeting_card(meeting, engagement, CATALOG, view),
            meeting_form_card(
                CATALOG,
                CATALOG.track("assess"),
                view,
                list(people),
                meeting_id=meeting.id,
                form="0" * 16,
                meeting=meeting,
            ),
        ):
            assert card_errors(card) == []
            assert len(json.dumps(card).encode()) < CARD_BYTES_LIMIT


# Through the real adapter, on both backends ------------------------------------------------


async def test_a_meeting_with_three_action_items_creates_three_owned_tasks_once(
    meeting_bot, connector
) -> None:
    bot = meeting_bot
    card = await open_form(bot)
    data = save_data(card)
    fields = form(notes="Network readiness reviewed", decisions="Go", actionItems=THREE_ITEMS)
    submit = a.click(bot.service_url, "meeting.save", {**data, **fields})
    status, body = await bot.send(submit)
    assert status == 200 and "The meeting is saved" in dump(body)
    # Teams redelivers the submit, and the Save is clicked again: nothing twice.
    assert (await bot.send(submit))[0] == 200
    again = await click(bot, "meeting.save", {**data, **fields})
    assert "Someone saved" not in dump(again)
    engagement = await stored(bot)
    created = [t for t in engagement.own_tasks.values() if t.track_id == "remediate"]
    assert [t.title for t in created] == [
        "Open firewall ports 443",
        "Install the AAD Connect server",
        "Draft the Company Portal terms of use",
    ]
    owners = [engagement.record(t.id).owner for t in created]
    dues = [engagement.record(t.id).due for t in created]
    assert owners == [KIM, ONE, KIM]
    assert dues == [date(2026, 12, 20), date(2026, 12, 22), date(2027, 1, 5)]
    (saved,) = await meetings(bot)
    assert saved.attendees == (ONE, KIM) and saved.notes == "Network readiness reviewed"
    assert saved.summary.start == datetime(2026, 12, 9, 6, 0, tzinfo=UTC)  # 15:00 in Seoul
    # Survives a restart; the meeting shows its tasks, the owners mentioned.
    await bot.restart()
    shown = (await click(bot, "meeting.show", {"meeting": saved.id}))["value"]
    assert card_errors(shown) == []
    assert "Held" in dump(shown) and "Install the AAD Connect server" in dump(shown)
    assert "<at>Kim Minji</at>" in dump(shown)
    overview = (await click(bot, "status.show", {}))["value"]
    assert "Last meeting: Checkpoint meeting" in dump(overview)


async def test_a_planned_meeting_shows_next_with_its_link_then_is_edited_into_minutes(
    meeting_bot, connector
) -> None:
    bot = meeting_bot
    card = await open_form(bot, "assess")
    planned = form(kind="user-provisioning", date="2026-12-14", time="14:00", link=JOIN)
    # Minutes before the meeting: refused, nothing saved.
    early = await click(bot, "meeting.save", {**save_data(card), **planned, "notes": "x"})
    assert "has not started yet" in dump(early)
    assert await meetings(bot) == []
    body = await click(bot, "meeting.save", {**save_data(card), **planned})
    assert "Planned" in dump(body["value"])
    overview = (await click(bot, "status.show", {}))["value"]
    text = dump(overview)
    assert "Next meeting: User provisioning walkthrough" in text and "Last meeting" not in text
    joins = [x for x in card_actions(overview) if x["type"] == "Action.OpenUrl"]
    assert [x["url"] for x in joins] == [JOIN]
    report = (await click(bot, "report.show", {}))["value"]
    assert "Next meeting: User provisioning walkthrough" in dump(report)
    assert card_errors(report) == [] and card_errors(overview) == []
    # After the meeting: the last one, no join button; its minutes recorded by editing it.
    bot.clock_state["now"] = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
    (meeting,) = await meetings(bot)
    overview = (await click(bot, "status.show", {}))["value"]
    assert "Last meeting: User provisioning walkthrough" in dump(overview)
    assert not [x for x in card_actions(overview) if x["type"] == "Action.OpenUrl"]
    edit = (await click(bot, "meeting.edit", {"meeting": meeting.id}))["value"]
    assert card_errors(edit) == [] and save_data(edit)["seen"] == "1"
    assert "More action items" in dump(edit)
    minutes = {
        **planned,
        "notes": "Users come from on-premises AD",
        "actionItems": "Clean up UPN suffixes | Kim Minji | 2026-12-31",
    }
    body = await click(bot, "meeting.save", {**save_data(edit), **minutes})
    assert "Held" in dump(body["value"]) and "Clean up UPN suffixes" in dump(body["value"])
    (meeting,) = await meetings(bot)
    assert meeting.revision == 2 and meeting.notes == "Users come from on-premises AD"
    engagement = await stored(bot)
    assert [t.title for t in engagement.own_tasks.values()] == ["Clean up UPN suffixes"]
    # A second save from the form opened at revision 1 is refused: it would overwrite.
    stale = await click(bot, "meeting.save", {**save_data(edit), **minutes, "form": "f" * 16})
    assert "Someone saved this meeting" in dump(stale)
    assert len((await stored(bot)).own_tasks) == 1
    history = dump((await click(bot, "history.show", {}))["value"])
    assert "meeting recorded: User provisioning walkthrough" in history


async def test_bad_input_is_refused_clearly_and_saves_nothing(meeting_bot, connector) -> None:
    bot = meeting_bot
    data = save_data(await open_form(bot))
    refusals = {
        "That is not a Teams meeting link": form(
            link="https://teams.microsoft.com.evil.example/l/meetup-join/x"
        ),
        "not in this conversation": form(attendees="aad-user1,aad-stranger"),
        "at most 1000 characters": form(notes="x" * (MAX_MINUTES_CHARS + 1)),
        "needs an owner and a due date": form(actionItems="Patch servers | Kim Minji"),
        "could not be read": form(actionItems="Patch | Park Jisoo | 2026-12-20"),
        "Give the other meeting a name": form(kind=OTHER_MEETING),
        "Use a time like 14:30": form(time="25:00"),
        "Use a date like 2026-12-31": form(date="2026-02-30"),
        "not in this engagement's log": form(kind="readiness"),  # Initiate's, not Remediate's
    }
    items = "\n".join(f"t{n} | Kim Minji | 2026-12-20" for n in range(MAX_ACTION_ITEMS + 1))
    refusals["At most 20 action items"] = form(actionItems=items)
    for expected, fields in refusals.items():
        body = await click(bot, "meeting.save", {**data, **fields})
        assert expected in dump(body), (expected, body)
    forged = [
        ("meeting.show", {"meeting": "mtg-0123456789abcdef"}),
        ("meeting.edit", {"meeting": "../engagement"}),
        ("meeting.save", {**data, "meeting": "mtg-0123456789abcdef", "seen": "3"}),
    ]
    for verb, payload in forged:
        body = await click(bot, verb, payload)
        assert "not in this engagement's log" in dump(body), (verb, body)
    # Meetings belong to phases: the standing duties have none.
    for verb, payload in [
        ("meeting.new", {"phase": "general"}),
        ("meeting.save", {**data, **form(), "phase": "general"}),
    ]:
        body = await click(bot, verb, payload)
        assert "There is no phase called “general”" in dump(body), (verb, body)
    status, _ = await bot.send(a.click(bot.service_url, "meeting.save", {**data, "seen": "x"}))
    assert status == 400
    assert await meetings(bot) == [] and (await stored(bot)).meetings == {}
    assert (await stored(bot)).own_tasks == {}


async def test_text_is_escaped_and_the_export_has_the_minutes(meeting_bot, connector) -> None:
    bot = meeting_bot
    data = save_data(await open_form(bot, "enable"))
    fields = form(
        kind=OTHER_MEETING,
        title="[Go-live](https://evil.example) <at>All</at>",
        notes="**urgent** ![x](https://evil.example/p.png)",
        actionItems="Announce the cut-over | Kim Minji | 2026-12-20",
    )
    card = (await click(bot, "meeting.save", {**data, **fields}))["value"]
    shown = texts(card)
    assert "\\[Go-live\\](https://evil.example) \\<at\\>All\\</at\\>" in shown
    assert "\\*\\*urgent\\*\\* !\\[x\\](https://evil.example/p.png)" in shown
    mentioned = [e["text"] for e in card["msteams"].get("entities", [])]
    assert "<at>All</at>" not in mentioned
    overview = texts((await click(bot, "status.show", {}))["value"])
    assert "Last meeting: \\[Go-live\\](https://evil.example)" in overview
    export = (await click(bot, "export.show", {}))["value"]
    links = [x["url"] for x in card_actions(export) if x["type"] == "Action.OpenUrl"]
    xlsx = next(u for u in links if ".xlsx" in u)
    csv_link = next(u for u in links if ".csv" in u)
    status, body, _ = await fetch(bot, xlsx)
    assert status == 200
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames[-1] == "Minutes"
    rows = list(book["Minutes"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Phase", "Meeting", "When", "Planned or held")
    assert rows[1][:4] == ("Enable", fields["title"], "2026-12-09 15:00", "held")
    assert rows[1][7] == fields["actionItems"] and rows[1][4] == "User One, Kim Minji"
    status, body, _ = await fetch(bot, csv_link)
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert "Meeting" not in header and header[0] == "Phase", "the csv stays the checklist"


async def test_korean_command_and_phase_intro_button(meeting_bot, connector) -> None:
    bot = meeting_bot
    await click(bot, "setup.save", VALID_FORM)  # the engagement in Korean
    intro = await typed(bot, connector, "다음")
    assert ("meeting.new", {"phase": "initiate"}) in [
        (x["verb"], x.get("data")) for x in card_actions(intro) if "verb" in x
    ]
    card = await typed(bot, connector, "회의")
    assert card_errors(card) == []
    text = dump(card)
    assert "회의 기록: 착수" in text and "프로젝트 준비 회의" in text and "후속 작업" in text
    (picker,) = [e for e in card["body"] if e.get("id") == "attendees"]
    assert picker["isMultiSelect"] and {c["value"] for c in picker["choices"]} == {
        "aad-user1",
        "aad-user2",
    }


async def test_two_instances_save_one_form_once_and_two_forms_both(
    store_factory, connector
) -> None:
    async with two_instances(store_factory, connector, NOW) as (bots, _):
        first, second = bots
        for activity in a.install(first.service_url):
            await first.send(activity)
        await click(first, "setup.save", {**VALID_FORM, "language": "en"})
        data = save_data((await click(first, "meeting.new", {"phase": "remediate"}))["value"])
        fields = form(notes="Checkpoint 1", actionItems=THREE_ITEMS)
        # The same form's Save arrives at both instances at once (a double click).
        answers = await asyncio.gather(
            click(first, "meeting.save", {**data, **fields}),
            click(second, "meeting.save", {**data, **fields}),
        )
        assert all("The meeting is saved" in dump(body) for body in answers)
        assert len(await meetings(first)) == 1
        assert len((await stored(first)).own_tasks) == 3
        # Two people's forms at once: both meetings are kept.
        forms = [
            save_data((await click(bot, "meeting.new", {"phase": "assess"}))["value"])
            for bot in (first, second)
        ]
        await asyncio.gather(
            click(first, "meeting.save", {**forms[0], **form(kind="user-provisioning")}),
            click(second, "meeting.save", {**forms[1], **form(kind="service-configuration")}),
        )
        kinds = sorted(m.summary.kind for m in await meetings(second))
        assert kinds == ["checkpoint", "service-configuration", "user-provisioning"]


async def test_the_engagement_keeps_only_the_last_and_the_planned_and_the_report_shows_them(
    store_factory, connector
) -> None:
    async with two_instances(store_factory, connector, NOW) as (bots, clock):
        bot = bots[0]
        for activity in a.install(bot.service_url):
            await bot.send(activity)
        await click(bot, "setup.save", {**VALID_FORM, "language": "en"})
        for day in ("2026-12-02", "2026-12-04", "2026-12-08", "2026-12-21", "2026-12-28"):
            data = save_data((await click(bot, "meeting.new", {"phase": "remediate"}))["value"])
            link = JOIN if day == "2026-12-21" else ""
            await click(bot, "meeting.save", {**data, **form(date=day, link=link)})
        assert len(await meetings(bot)) == 5
        engagement = await stored(bot)
        starts = sorted(m.start.date().isoformat() for m in engagement.meetings.values())
        assert starts == ["2026-12-08", "2026-12-21", "2026-12-28"], "the last held and planned"
        # The weekly report, posted on Monday 14 Dec 09:05 in Seoul.
        clock["now"] = datetime(2026, 12, 14, 0, 5, tzinfo=UTC)
        connector.calls.clear()
        assert len((await run_scheduled(bot, "/api/reports/run"))["sent"]) == 1
        (card,) = connector.cards("POST")
        assert card_errors(card) == []
        shown = texts(card)
        assert "Last meeting: Checkpoint meeting · 08 Dec 2026 15:00 KST" in shown
        assert "Next meeting: Checkpoint meeting · 21 Dec 2026 15:00 KST" in shown
        assert JOIN in [x.get("url") for x in card_actions(card)]


def test_twenty_planned_meetings_add_little_to_the_engagement_document() -> None:
    """The summaries every click rewrites: the longest title (Korean, JSON-escaped), the
    longest link, for each planned meeting the engagement may hold."""
    engagement = Engagement(TEAM, "channel", NOW, installed_by=Actor("29:user1", "User One"))
    before = len(json.dumps(engagement.to_dict()).encode())
    link = JOIN + "x" * (MAX_LINK_CHARS - len(JOIN))
    assert teams_meeting_link(link) == link
    for n in range(MAX_PLANNED):
        summary = MeetingSummary(
            f"mtg-{n:016x}",
            "remediate",
            OTHER_MEETING,
            "회" * MAX_MEETING_TITLE_CHARS,
            NOW + timedelta(days=n + 1),
            link,
        )
        engagement.record_meeting(
            CATALOG,
            summary=summary,
            name=summary.title,
            action_items=(),
            batch=f"{summary.id}.1",
            actor=Actor("29:user1", "User One"),
            at=NOW,
            op_id=f"op-{n}",
        )
    assert len(engagement.meetings) == MAX_PLANNED
    grown = len(json.dumps(engagement.to_dict()).encode()) - before
    assert grown < 48 * 1024, grown
    with pytest.raises(TooManyMeetings):
        engagement.record_meeting(
            CATALOG,
            summary=MeetingSummary(
                "mtg-" + "f" * 16, "remediate", "checkpoint", "", NOW + timedelta(days=90)
            ),
            name="checkpoint",
            action_items=(),
            batch="x",
            actor=Actor("29:user1", "User One"),
            at=NOW,
            op_id="op-over",
        )
