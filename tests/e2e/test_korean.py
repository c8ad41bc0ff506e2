"""Korean on the Agents Playground's page.

The Playground 0.2.28 stamps "locale": "en-US" on every activity it builds itself (messages
typed in its box, card clicks, installation), with no option, setting or config field to
change it. Its own way to send an activity with other fields is Mock an Activity > Custom
activity: an editor prefilled with a template for the conversation, sent as written. The test
uses that dialog, on the page, to install the app in the group chat and to type commands there
with "locale": "ko-KR"; the bot's cards are then shown by the Playground like any other."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.engagement import Actor, Engagement, EngagementKey
from tests.e2e import expect as x
from tests.e2e.stack import Stack
from tests.e2e.steps import change_stored, digest_due, run_nudges

pytestmark = pytest.mark.e2e

GROUP = "Group Chat"
KO = "ko-KR"


@pytest.fixture(scope="module")
def group(stack: Stack) -> dict[str, Any]:
    assert stack.playground is not None
    config = stack.playground.config()
    conversation = config["groupChats"][0]["id"]
    return {
        "conversation": conversation,
        "user": config["currentUser"],
        "tenant": config["tenantId"],
        "template": stack.playground.template(conversation),
    }


def korean(group: dict[str, Any], type: str, **fields: Any) -> dict[str, Any]:
    """The Custom activity template for the group chat, as a Korean Teams client fills it."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    user = group["user"]
    return {
        "type": type,
        **{k: v for k, v in group["template"].items() if k != "type"},
        "id": str(uuid.uuid4()),
        "timestamp": now,
        "from": {"id": user["id"], "name": user["name"], "aadObjectId": user["aadObjectId"]},
        "locale": KO,
        "entities": [{"type": "clientInfo", "locale": KO, "country": "KR", "platform": "Web"}],
        "channelData": {"tenant": {"id": group["tenant"]}},
        **fields,
    }


def test_korean_welcome_on_installation(stack: Stack, group: dict[str, Any]) -> None:
    page = stack.page
    title = x.t("ko", "welcome.title")
    # Sent before the group chat is first opened (opening it installs the app in en-US).
    page.custom_activity(korean(group, type="installationUpdate", action="add"))
    page.wait_frame(
        lambda f: (
            f["action"] == "createMessage"
            and f["conversationId"] == group["conversation"]
            and title in f["text"]
        ),
        "the Korean welcome posted to the group chat",
    )
    page.select(GROUP)
    welcome = page.wait_card(title)
    assert x.t("ko", "overview.title") in welcome["text"]
    page.screenshot("20-korean-welcome.png", title)


def test_korean_commands_answer_in_korean(stack: Stack, group: dict[str, Any]) -> None:
    page = stack.page
    page.select(GROUP)
    page.custom_activity(korean(group, type="message", text="상태", textFormat="plain"))
    overview = page.wait_card(x.t("ko", "overview.title"), fresh=True)
    for phase in x.PHASES:
        assert x.percent_after(overview["text"], x.phase_name(phase, "ko")) == 0
    page.screenshot("21-korean-overview.png", x.t("ko", "overview.title"))

    page.custom_activity(korean(group, type="message", text="단계 평가", textFormat="plain"))
    first = x.first_task("assess", "ko")
    phase = page.wait_card(x.phase_name("assess", "ko"), first, x.unfold("ko"), fresh=True)
    assert x.t("ko", "action.done") not in phase["text"].split("\n"), "folded: no task buttons"
    page.click([first], x.unfold("ko"), within=first)
    phase = page.wait_card(first, x.t("ko", "action.done"))
    assert x.t("en", "action.done") not in phase["text"].split()
    page.screenshot("22-korean-phase.png", first)


def test_korean_digest_in_the_group_chat(stack: Stack, group: dict[str, Any]) -> None:
    """The digest the scheduler endpoint posts to the Korean engagement: an overdue task with
    its owner mentioned, and the current phase's tasks nobody owns."""
    engagement_id = EngagementKey(group["tenant"], group["conversation"]).id
    user = group["user"]
    me = Actor(user["id"], user["name"], user["aadObjectId"])
    task = x.CATALOG.tasks_of("initiate")[0]

    def overdue_and_due(engagement: Engagement) -> None:
        digest_due(engagement)
        at = datetime.now(UTC)
        common = {"task_id": task.id, "actor": me, "at": at}
        engagement.assign_owner(x.CATALOG, owner=me.person, op_id="e2e-owner", **common)
        yesterday = at.date() - timedelta(days=1)
        engagement.set_due(x.CATALOG, due=yesterday, op_id="e2e-due", **common)

    change_stored(stack, engagement_id, overdue_and_due)
    page = stack.page
    page.select(GROUP)
    page.mark_seen()
    assert engagement_id in run_nudges(stack)["sent"]
    kicker = x.t("ko", "nudge.kicker")
    digest = page.wait_card(kicker, x.t("ko", "nudge.overdue"), fresh=True)
    assert task.title.ko in digest["text"] and user["name"] in digest["text"]
    assert x.t("ko", "nudge.unowned") in digest["text"]
    assert x.t("en", "nudge.overdue") not in digest["text"]
    page.screenshot("23-korean-digest.png", kicker, x.t("ko", "nudge.overdue"))
