"""Outgoing activities (issue 22 item 1): the bot serialises what it sends once (bot/wire.py)
and posts it itself (bot/connector_http.py) instead of through msrest and botbuilder's
connector client; the JSON and the request must stay what botbuilder's would be."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import orjson
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
    InputHints,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest.serialization import Serializer

from benchmarks.echo import click_sized_card
from bot import wire
from bot.adapter import OnboardingAdapter
from bot.config import Settings
from bot.messages import card_message
from bot.wire import activity_body, parse_activity, parse_reference
from cards.common import Card
from testkit import FakeConnector
from testkit import activities as a

URL = "https://smba.example/amer/"
MSREST = Serializer(Activity._infer_class_models())
KOREAN_CARD: Card = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {"type": "TextBlock", "text": "<at>김민지</at> 님, 작업을 완료했습니다.", "wrap": True}
    ],
    "msteams": {
        "entities": [
            {"type": "mention", "text": "<at>김민지</at>", "mentioned": {"id": "29:user2"}}
        ]
    },
}


def msrest_json(activity: Activity) -> Any:
    """What botbuilder's connector client sends as the body for `activity`."""
    return MSREST.body(activity, "Activity")


def incoming() -> list[Activity]:
    return [
        parse_activity(body)
        for body in (
            a.message(URL, "status"),
            a.message(URL, "상태", locale="ko-KR", mention=True),
            a.message(URL, "status", conversation="a:1", conversation_type="personal"),
            a.message(
                URL, "status", conversation="19:chat@thread.v2", conversation_type="groupChat"
            ),
            a.click(URL, "task.done", {"task": "initiate.start-onboarding"}),
        )
    ]


def addressed(activity: Activity, to: Activity) -> Activity:
    """`activity` as the bot sends it in reply to `to` (bot.messages.send_owned)."""
    TurnContext.apply_conversation_reference(activity, TurnContext.get_conversation_reference(to))
    activity.input_hint = activity.input_hint or InputHints.accepting_input
    return activity


def sent_by_the_bot(to: Activity) -> list[Activity]:
    """Each kind of activity the bot sends: a card reply, a text reply, a shared card's
    update, and a proactive post to a stored reference."""
    update = addressed(card_message(click_sized_card()), to)
    update.id = "card-1"
    stored = ConversationReference().deserialize(a.conversation_reference(URL, a.TEAM))
    proactive = card_message(KOREAN_CARD)
    TurnContext.apply_conversation_reference(proactive, stored)
    proactive.reply_to_id = "c0ffee"  # as continue_conversation sets one
    return [
        addressed(card_message(click_sized_card()), to),
        addressed(card_message(KOREAN_CARD), to),
        addressed(MessageFactory.text("이 테넌트는 사용할 수 없습니다."), to),
        update,
        proactive,
    ]


def test_what_the_bot_sends_serialises_as_msrest_serialises_it_without_msrest() -> None:
    for to in incoming():
        for activity in sent_by_the_bot(to):
            direct = wire._plain(activity, Activity)  # the fast path, no fallback
            assert direct == msrest_json(activity)
            assert orjson.loads(activity_body(activity)) == direct


# Integers within 64 bits: orjson's range, and any card's.
def test_stored_references_parse_as_msrest_parses_them() -> None:
    """A proactive send builds the ConversationReference from the stored one (bot/scope.py)
    directly; it must be msrest's, also for shapes only msrest reads."""
    stored = [
        a.conversation_reference(URL, a.TEAM),
        a.conversation_reference(URL, "a:1", conversation_type="personal"),
        {**a.conversation_reference(URL, a.TEAM), "user": {"id": "29:user1", "x": 1}},
        {**a.conversation_reference(URL, a.TEAM), "activityId": "1", "locale": "ko-KR"},
        {**a.conversation_reference(URL, a.TEAM), "bot": {"id": 28}},  # msrest converts
        {"serviceUrl": URL, "conversation": {"id": "c", "isGroup": True}, "extra": [1]},
    ]
    for reference in stored:
        assert parse_reference(reference) == ConversationReference().deserialize(reference)


CARD_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
TEXT = st.none() | st.text(max_size=8)


@given(
    content=CARD_JSON,
    text=TEXT,
    summary=TEXT,
    locale=TEXT,
    channel_data=CARD_JSON,
    history=st.none() | st.booleans(),
    timestamp=st.none() | st.datetimes(timezones=st.just(UTC)),
)
@settings(max_examples=300, derandomize=True, deadline=None)
def test_any_message_serialises_as_msrest_serialises_it(
    content: Any,
    text: str | None,
    summary: str | None,
    locale: str | None,
    channel_data: Any,
    history: bool | None,
    timestamp: Any,
) -> None:
    """Also where the fast path hands over to msrest (a timestamp, say)."""
    activity = addressed(card_message({"type": "AdaptiveCard", "x": content}), incoming()[0])
    activity.text, activity.summary, activity.locale = text, summary, locale
    activity.channel_data, activity.history_disclosed = channel_data, history
    activity.timestamp = timestamp
    assert orjson.loads(activity_body(activity)) == msrest_json(activity)


async def test_the_adapter_sends_what_botbuilders_connector_client_sends(
    connector: FakeConnector,
) -> None:
    """The same reply, post and update through the bot's adapter and through botbuilder's
    own: the connector gets the same method, path and body."""
    adapter = OnboardingAdapter(
        ConfigurationBotFrameworkAuthentication(Settings().bot_framework_config())
    )
    reference = ConversationReference().deserialize(a.conversation_reference(connector.url, a.TEAM))
    answers: list[Any] = []

    async def both_ways(turn_context: TurnContext) -> None:
        for send in (adapter.send_activities, CloudAdapter.send_activities.__get__(adapter)):
            for reply_to in ("1700000000001", None):
                activity = card_message(KOREAN_CARD)
                TurnContext.apply_conversation_reference(activity, reference)
                activity.reply_to_id = reply_to
                answers.append((await send(turn_context, [activity]))[0].id)
        for update in (adapter.update_activity, CloudAdapter.update_activity.__get__(adapter)):
            activity = card_message(click_sized_card())
            TurnContext.apply_conversation_reference(activity, reference)
            activity.id = "card-1"
            await update(turn_context, activity)

    try:
        await adapter.continue_conversation(reference, both_ways, "")
    finally:
        await adapter.close()
    calls = [(c.method, c.path, c.body) for c in connector.calls if "/activities" in c.path]
    ours, botbuilders = calls[0:2] + calls[4:5], calls[2:4] + calls[5:6]
    assert [c[0] for c in ours] == ["POST", "POST", "PUT"]
    assert ours == botbuilders
    assert all(answers) and answers[0] != answers[1]
    assert ours[0][2]["type"] == ActivityTypes.message


async def test_members_and_new_chats_are_asked_for_as_botbuilder_asks(
    connector: FakeConnector,
) -> None:
    """The people picker's members and a new 1:1 chat, through the adapter's own calls and
    through botbuilder's: the same requests and the same answers."""
    adapter = OnboardingAdapter(
        ConfigurationBotFrameworkAuthentication(Settings().bot_framework_config())
    )
    reference = ConversationReference().deserialize(a.conversation_reference(connector.url, a.TEAM))
    ours: list[Any] = []
    theirs: list[Any] = []

    async def both_ways(turn_context: TurnContext) -> None:
        client = turn_context.turn_state[adapter.BOT_CONNECTOR_CLIENT_KEY]
        ours.append(await adapter.connector_http.members(client, a.TEAM))
        # What TeamsInfo.get_members does for a conversation (the proactive turn has no team).
        listed = await TeamsInfo._get_members(client, a.TEAM)
        theirs.append([{**m.additional_properties, **m.serialize()} for m in listed])
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=a.BOT_ID),
            members=[ChannelAccount(id="29:user2")],
            tenant_id=a.TENANT,
            channel_data={"tenant": {"id": a.TENANT}},
        )
        ours.append((await adapter.connector_http.create_conversation(client, parameters)).id)
        theirs.append((await client.conversations.create_conversation(parameters)).id)

    try:
        await adapter.continue_conversation(reference, both_ways, "")
    finally:
        await adapter.close()
    assert ours == theirs and ours[0] and ours[1]
    calls = [(c.method, c.path, c.body) for c in connector.calls]
    assert calls[0] == calls[1] and calls[0][1].endswith("/members")
    assert calls[2] == calls[3] and calls[2][:2] == ("POST", "/v3/conversations")
