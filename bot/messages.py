"""Flow results as Bot Framework messages and invoke responses."""

from __future__ import annotations

from http import HTTPStatus

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    DeliveryModes,
    InputHints,
    ResourceResponse,
)

from cards.common import Card

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"
SEARCH_CONTENT_TYPE = "application/vnd.microsoft.search.searchResponse"


def card_message(card: Card) -> Activity:
    message = MessageFactory.attachment(CardFactory.adaptive_card(card))
    message.type = ActivityTypes.message
    return message


async def send_owned(turn_context: TurnContext, activity: Activity) -> ResourceResponse | None:
    """Sends an activity made for this one send (nothing else holds it), as
    `turn_context.send_activity` would, minus its deep copy of the activity (the whole card, a
    tenth of a `status` turn), which only protects a caller's own copy. With expectReplies or
    send hooks (which may keep what they are given), botbuilder's own path."""
    if (
        turn_context.activity.delivery_mode == DeliveryModes.expect_replies
        or turn_context._on_send_activities
    ):
        return await turn_context.send_activity(activity)
    reference = TurnContext.get_conversation_reference(turn_context.activity)
    TurnContext.apply_conversation_reference(activity, reference)
    activity.input_hint = activity.input_hint or InputHints.accepting_input
    responses = await turn_context.adapter.send_activities(turn_context, [activity])
    turn_context.responded = True
    return responses[0] if responses else None


def card_invoke_response(card: Card) -> InvokeResponse:
    """Replaces the clicked card."""
    return InvokeResponse(
        status=HTTPStatus.OK, body={"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}
    )


def message_invoke_response(message: str) -> InvokeResponse:
    """Shown to the person who clicked, without replacing their card."""
    return InvokeResponse(
        status=HTTPStatus.OK,
        body={"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": message},
    )


def bad_request_invoke_response(message: str) -> InvokeResponse:
    return InvokeResponse(
        status=HTTPStatus.BAD_REQUEST,
        body={
            "statusCode": 400,
            "type": ERROR_CONTENT_TYPE,
            "value": {"code": "BadRequest", "message": message},
        },
    )


def search_invoke_response(results: list[dict[str, str]]) -> InvokeResponse:
    """Teams' typeahead (`application/search`): the choices matching what was typed."""
    return InvokeResponse(
        status=HTTPStatus.OK,
        body={"statusCode": 200, "type": SEARCH_CONTENT_TYPE, "value": {"results": results}},
    )
