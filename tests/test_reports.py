"""The status report, the history and the export, through the real adapter over HTTP on both
store backends: the report's numbers on a constructed engagement, the chart as a PNG, the
history's pages and filter, the workbook and CSV against the engagement, and every attack on
a signed link."""

from __future__ import annotations

import base64
import csv
import gc
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.config import Settings
from dialogs.links import LinkSigner
from domain.catalog import default_catalog
from domain.engagement import EngagementKey
from domain.report import BurnUpLine
from reports.chart import burn_up_png
from testkit import FakeConnector, card_actions
from testkit import activities as a
from tests.card_schema import card_errors
from tests.harness import BotHarness
from tests.steps import VALID_FORM

KEY = "k" * 40
TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
# 09:00 in Seoul on each day.
SETUP_DAY = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
WORK_DAY = datetime(2026, 12, 16, 0, 0, tzinfo=UTC)
REPORT_DAY = datetime(2026, 12, 20, 0, 0, tzinfo=UTC)


@pytest.fixture
async def report_bot(store_factory, connector: FakeConnector):
    clock = {"now": SETUP_DAY}
    harness = BotHarness(
        store_factory,
        connector.url,
        clock=lambda: clock["now"],
        settings=Settings(nudges_enabled=False, link_signing_key=KEY),
    )
    await harness.start()
    harness.clock_state = clock  # type: ignore[attr-defined]
    yield harness
    await harness.stop()


async def click(bot: BotHarness, verb: str, data: dict[str, Any] | None = None) -> dict:
    status, body = await bot.send(a.click(bot.service_url, verb, data or {}))
    assert status == 200, body
    return body["value"]


async def typed(bot: BotHarness, connector: FakeConnector, text: str) -> dict:
    connector.calls.clear()
    status, _ = await bot.send(a.message(bot.service_url, text))
    assert status in (200, 201)
    return connector.cards("POST")[-1]


async def fetch(bot: BotHarness, url: str) -> tuple[int, bytes, str]:
    """GETs a link at the harness's own address (the link's origin is PUBLIC_BASE_URL)."""
    parts = urlsplit(url)
    assert bot.session is not None
    async with bot.session.get(bot.make_url(parts.path)) as response:
        return response.status, await response.read(), response.content_type


def flat(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


async def constructed(bot: BotHarness, connector: FakeConnector, **form: str) -> None:
    """Set up on 1 Dec (initiate ends 15 Dec, assess 28 Dec); on 16 Dec one initiate task is
    done, the other given to Kim Minji due 14 Dec, and the services narrowed to Intune."""
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    targets = {"target.initiate": "2026-12-15", "target.assess": "2026-12-28"}
    await click(bot, "setup.save", {**VALID_FORM, **targets, "language": "en", **form})
    bot.clock_state["now"] = WORK_DAY  # type: ignore[attr-defined]
    await click(bot, "task.done", {"task": "initiate.start-onboarding"})
    await click(bot, "task.assign", {"task": "initiate.readiness-meeting", "owner": "aad-user2"})
    await click(bot, "task.due", {"task": "initiate.readiness-meeting", "due": "2026-12-14"})
    narrowed = {**VALID_FORM, **targets, "language": "en", **form, "services": "intune"}
    await click(bot, "setup.save", narrowed)
    bot.clock_state["now"] = REPORT_DAY  # type: ignore[attr-defined]
    connector.calls.clear()


async def test_report_numbers_on_a_constructed_engagement(report_bot, connector) -> None:
    await constructed(report_bot, connector)
    card = await typed(report_bot, connector, "report")
    assert card_errors(card) == []
    text = flat(card)
    # Initiate is past its end with a required task open; assess has 5 required tasks open
    # and 8 days left (< 2 × 5); the others have months.
    assert "Initiate: late · 1 of 2 · target 15 Dec 2026" in text
    assert "Assess: at risk · 0 of 6 · target 28 Dec 2026" in text
    assert "Remediate: on track · 0 of 2" in text
    assert "Settled since the last report" in text
    assert "Kick off" in text or "initiate" in text.lower()
    assert "User One" in text
    # Overdue, with its owner mentioned.
    assert "<at>Kim Minji</at> · ⚠ Overdue since 14 Dec 2026" in text
    assert any(e["mentioned"]["id"] == "aad-user2" for e in card["msteams"]["entities"])
    # 15 required phase tasks without an owner: 8 shown, then the rest counted.
    assert "and 7 more" in text
    # Narrowing the services put the two Azure AD Premium duties out of scope.
    assert text.count("· out of scope · User One") == 2
    verbs = {x.get("verb") for x in card_actions(card)}
    assert {"export.show", "history.show", "status.show"} <= verbs


async def test_report_in_korean_and_from_the_overview_button(report_bot, connector) -> None:
    await constructed(report_bot, connector, language="ko")
    overview = await click(report_bot, "status.show")
    assert "report.show" in {x.get("verb") for x in card_actions(overview)}
    card = await click(report_bot, "report.show")
    assert card_errors(card) == []
    text = flat(card)
    assert "착수: 지연 · 2개 중 1개" in text and "평가: 위험" in text
    assert "(으)" not in text


async def test_the_chart_is_a_png_that_fits(report_bot, connector) -> None:
    await constructed(report_bot, connector)
    card = await typed(report_bot, connector, "report")
    [image] = [e for e in card["body"] if e["type"] == "Image"]
    status, body, content_type = await fetch(report_bot, image["url"])
    assert status == 200 and content_type == "image/png"
    assert len(body) < 1024 * 1024
    picture = Image.open(io.BytesIO(body))
    picture.verify()
    assert picture.format == "PNG" and max(picture.size) <= 1024


def chart(settled_per_day: int) -> bytes:
    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(20)]
    lines = [
        BurnUpLine(track, days, [n * settled_per_day for n in range(20)], 40, date(2026, 12, 15))
        for track in default_catalog().tracks
    ]
    return burn_up_png(lines, [t.name.en for t in default_catalog().tracks], "Tasks", "Target")


def test_charts_leave_no_figure_for_the_garbage_collector() -> None:
    """A figure per chart, freed only by the cyclic collector, kept its 2 MiB pixel buffer
    until a collection: the server's memory grew with every report."""
    from matplotlib.figure import Figure

    gc.collect()
    gc.disable()
    try:
        for n in range(3):
            chart(n + 1)
        figures = [o for o in gc.get_objects() if isinstance(o, Figure)]
    finally:
        gc.enable()
    assert len(figures) == 1


def test_a_chart_drawn_after_another_is_the_same_as_drawn_first() -> None:
    first = chart(2)
    other = chart(1)
    assert other != first and chart(2) == first


async def test_history_pages_newest_first_and_filters_to_a_task(report_bot, connector) -> None:
    await constructed(report_bot, connector)
    for n in range(12):
        await click(
            report_bot, "task.note", {"task": "assess.remediation-checklist", "note": f"n{n}"}
        )
    card = await typed(report_bot, connector, "history")
    assert card_errors(card) == []
    text = flat(card)
    # 12 notes + the changes of the construction: newest (the last note) first.
    assert "Page 1 of" in text and "note added: n11" in text and 'note added: n1"' not in text
    older = next(x for x in card_actions(card) if x.get("title") == "Older")
    second = await click(report_bot, "history.show", older["data"])
    assert "Page 2 of" in flat(second) and "note added: n1" in flat(second)
    # From the task's details: only that task's entries.
    details = await click(report_bot, "task.show", {"task": "initiate.readiness-meeting"})
    button = next(x for x in card_actions(details) if x.get("verb") == "history.show")
    own = flat(await click(report_bot, "history.show", button["data"]))
    assert "owner none → Kim Minji" in own and "due date none → 2026-12-14" in own
    assert "note added" not in own and "Page 1 of 1" in own
    # Bad input: a page that is no number is refused (400, as any malformed click) and
    # shows nothing of the trail.
    status, body = await report_bot.send(
        a.click(report_bot.service_url, "history.show", {"page": "x1"})
    )
    assert status == 400 and "note added" not in flat(body)


async def test_the_workbook_and_csv_match_the_engagement(report_bot, connector) -> None:
    await constructed(report_bot, connector, language="ko")
    await click(
        report_bot, "task.note", {"task": "initiate.readiness-meeting", "note": "=1+2 회의 준비"}
    )
    card = await typed(report_bot, connector, "내보내기")
    assert card_errors(card) == []
    links = {x["title"]: x["url"] for x in card_actions(card) if x["type"] == "Action.OpenUrl"}
    xlsx_url, csv_url = links["통합 문서(.xlsx)"], links["체크리스트(.csv)"]
    status, body, content_type = await fetch(report_bot, xlsx_url)
    assert status == 200 and content_type.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["체크리스트", "변경 기록", "메모", "추가한 작업", "회의록"]
    rows = list(book["체크리스트"].iter_rows(values_only=True))
    assert rows[0][:5] == ("단계", "작업", "상태", "담당자", "기한")
    by_task = {row[1]: row for row in rows[1:]}
    from domain.catalog import default_catalog

    catalog = default_catalog()
    assert len(rows) - 1 == len(catalog.tasks)
    done = by_task[catalog.task("initiate.start-onboarding").title.ko]
    assert done[2] == "완료" and done[5] == "User One" and done[6] == "2026-12-16 09:00"
    meeting = by_task[catalog.task("initiate.readiness-meeting").title.ko]
    assert meeting[3] == "Kim Minji" and meeting[4] == "2026-12-14"
    # A note that looks like a formula stays text.
    assert meeting[8] == "=1+2 회의 준비"
    assert book["체크리스트"].cell(row=rows.index(meeting) + 1, column=9).data_type == "s"
    history = list(book["변경 기록"].iter_rows(values_only=True))
    assert history[0][0] == "일시" and len(history) > 6
    notes = list(book["메모"].iter_rows(values_only=True))
    assert notes[1][3] == "=1+2 회의 준비"

    status, body, content_type = await fetch(report_bot, csv_url)
    assert status == 200 and content_type == "text/csv"
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][0] == "단계" and len(table) - 1 == len(catalog.tasks)
    assert "'=1+2 회의 준비" in [row[8] for row in table]


def _swap(url: str, **claims: str | int) -> str:
    """The link with its claims changed and its signature kept."""
    path = urlsplit(url).path
    token = path.rsplit("/", 1)[1]
    payload, signature, suffix = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps(decoded | claims).encode()).rstrip(b"=")
    return f"{path.rsplit('/', 1)[0]}/{changed.decode()}.{signature}.{suffix}"


async def test_every_link_attack_gets_403_and_no_data(report_bot, connector) -> None:
    await constructed(report_bot, connector)
    card = await typed(report_bot, connector, "export")
    xlsx_url = next(x["url"] for x in card_actions(card) if x["type"] == "Action.OpenUrl")
    other = EngagementKey(a.TENANT, "19:other@thread.v2")
    for activity in a.install(report_bot.service_url, conversation="19:other@thread.v2"):
        await report_bot.send(activity)
    path = urlsplit(xlsx_url).path
    token = path.rsplit("/", 1)[1]
    flipped = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    signer = LinkSigner(KEY.encode(), "http://x")
    now = report_bot.clock_state["now"]
    attacks = {
        "tampered signature": path.rsplit("/", 1)[0] + "/" + flipped,
        "other engagement": _swap(xlsx_url, e=other.id),
        "other tenant": _swap(xlsx_url, t="tenant-2"),
        "longer life": _swap(xlsx_url, x=int((now + timedelta(days=1)).timestamp())),
        "chart suffix": path.replace(".xlsx", ".png"),
        # Signed with the right key, but the engagement is not the tenant's.
        "signed for another tenant": signer.url("xlsx", TEAM.id, "tenant-2", now),
        "signed for a missing engagement": signer.url("csv", "eng-" + "0" * 40, a.TENANT, now),
        "garbage": "/files/" + "x" * 30,
    }
    for name, url in attacks.items():
        status, body, _ = await fetch(report_bot, url)
        assert (status, body) == (403, b"forbidden"), name
    # The genuine link works until it expires 15 minutes later.
    status, body, _ = await fetch(report_bot, xlsx_url)
    assert status == 200 and body.startswith(b"PK")
    report_bot.clock_state["now"] = now + timedelta(minutes=15, seconds=1)
    status, body, _ = await fetch(report_bot, xlsx_url)
    assert (status, body) == (403, b"forbidden")
