"""Flow results as Bot Framework messages and invoke responses."""

from __future__ import annotations

from http import HTTPStatus

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory
from botbuilder.schema import Activity, ActivityTypes

from cards.common import Card

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"
SEARCH_CONTENT_TYPE = "application/vnd.microsoft.search.searchResponse"


def card_message(card: Card) -> Activity:
    message = MessageFactory.attachment(CardFactory.adaptive_card(card))
    message.type = ActivityTypes.message
    return message


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
