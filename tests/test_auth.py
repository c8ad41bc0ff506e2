"""With MicrosoftAppId set, a request without a valid Bot Framework token is answered 401 and
touches nothing: the store is not read or written and the Bot Connector is not called.

The tokens are checked by botbuilder's own validation, fed from a local OpenID metadata
endpoint (testkit/openid.py) instead of login.botframework.com. Two ways in, both real:

- "parameterized": Settings.openid_metadata_url, passed through bot_framework_config() as
  TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL, which makes botbuilder build its
  _ParameterizedBotFrameworkAuthentication (the path a deployment with
  BOT_OPENID_METADATA_URL takes);
- "builtin": the default Settings (what production runs: _PublicCloudBotFrameworkAuthentication
  -> JwtTokenValidation -> ChannelValidation), with only ChannelValidation's own
  `open_id_metadata_endpoint` hook pointed at the local endpoint.

Both end in JwtTokenExtractor: metadata fetch -> key lookup by `kid` -> endorsement of the
activity's channel id ("msteams") -> allowed algorithm -> RS256 signature, `exp`/`nbf` (5 min
skew) -> then issuer, audience (= app id) and the `serviceurl` claim against the activity.

A bot with an app id gets its outbound tokens from Azure AD, which does not exist here, so the
accepted requests are card clicks in a personal chat: the answer is the HTTP response and
nothing is sent to the connector. Every test runs with the network closed except loopback.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botframework.connector.auth import ChannelValidation

from bot.config import Settings
from domain.engagement import EngagementKey
from storage.base import Document, PatchOperation
from storage.embedded import EmbeddedStore
from testkit import FakeConnector, OpenIdService
from testkit import activities as a
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("loopback_only")

APP_ID = "6a1f3c0e-5b7d-4c2a-9e8f-0a11ce000001"
OTHER_APP_ID = "0b0b0b0b-1111-2222-3333-444455556666"
PERSONAL = "a:auth-personal-chat"
TASK = "initiate.start-onboarding"
PERSONAL_KEY = EngagementKey(a.TENANT, f"person:{a.USER['aadObjectId']}")  # the chat's person
CHANNEL_KEY = EngagementKey(a.TENANT, f"team:{a.TEAM}")


# A store that tells whether it was touched -----------------------------------------------


class SpyStore(EmbeddedStore):
    """The embedded store, recording every data call (reads included)."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.calls: list[tuple[str, str, str]] = []

    async def read(self, pk: str, doc_id: str) -> Document | None:
        self.calls.append(("read", pk, doc_id))
        return await super().read(pk, doc_id)

    async def read_if_changed(self, known: Document) -> Document | None:
        self.calls.append(("read", known.pk, known.id))
        return await super().read_if_changed(known)

    async def create(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        self.calls.append(("create", pk, doc_id))
        return await super().create(pk, doc_id, body)

    async def replace(self, pk: str, doc_id: str, body: dict[str, Any], *, etag: str) -> Document:
        self.calls.append(("replace", pk, doc_id))
        return await super().replace(pk, doc_id, body, etag=etag)

    async def patch(
        self, pk: str, doc_id: str, operations: list[PatchOperation], *, etag: str
    ) -> str:
        self.calls.append(("patch", pk, doc_id))
        return await super().patch(pk, doc_id, operations, etag=etag)

    async def upsert(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        self.calls.append(("upsert", pk, doc_id))
        return await super().upsert(pk, doc_id, body)

    async def delete(self, pk: str, doc_id: str) -> None:
        self.calls.append(("delete", pk, doc_id))
        await super().delete(pk, doc_id)

    async def list_partition(self, pk: str, id_prefix: str) -> list[Document]:
        self.calls.append(("list_partition", pk, id_prefix))
        return await super().list_partition(pk, id_prefix)


@dataclass
class SecuredBot:
    harness: BotHarness
    store: SpyStore
    connector: FakeConnector
    openid: OpenIdService

    @property
    def service_url(self) -> str:
        return self.harness.service_url

    async def send(self, activity: dict[str, Any], authorization: str | None) -> tuple[int, Any]:
        headers = {} if authorization is None else {"Authorization": authorization}
        return await self.harness.post_raw(json.dumps(activity).encode(), headers=headers)

    async def engagement(self, key: EngagementKey) -> dict[str, Any] | None:
        doc = await self.store.read(key.id, "engagement")
        return doc.body if doc else None


@pytest.fixture(params=["parameterized", "builtin"])
async def secured(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    connector: FakeConnector,
    openid: OpenIdService,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SecuredBot]:
    if request.param == "parameterized":
        settings = Settings(
            app_id=APP_ID, app_password="unused-secret", openid_metadata_url=openid.metadata_url
        )
    else:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", openid.metadata_url)
        settings = Settings(app_id=APP_ID, app_password="unused-secret")
    store = SpyStore(tmp_path / "data")
    harness = BotHarness(lambda: store, connector.url, settings=settings)
    await harness.start()
    yield SecuredBot(harness, store, connector, openid)
    await harness.stop()
    openid.reset()


def click(service_url: str) -> dict[str, Any]:
    return a.click(
        service_url,
        "task.done",
        {"task": TASK},
        conversation=PERSONAL,
        conversation_type="personal",
    )


# Accepted ------------------------------------------------------------------------------


async def test_valid_token_is_accepted_and_the_click_lands(secured: SecuredBot) -> None:
    token = secured.openid.token(APP_ID, secured.service_url)
    status, body = await secured.send(click(secured.service_url), f"Bearer {token}")
    assert status == 200, body
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    engagement = await secured.engagement(PERSONAL_KEY)
    assert engagement is not None
    assert engagement["tasks"][TASK]["status"] == "done"
    assert secured.connector.calls == []


async def test_signing_keys_come_from_the_local_metadata(secured: SecuredBot) -> None:
    """The metadata document, then its jwks_uri (each app has a key cache of its own)."""
    fetched_before = len(secured.openid.requests)
    token = secured.openid.token(APP_ID, secured.service_url)
    status, _ = await secured.send(click(secured.service_url), f"Bearer {token}")
    assert status == 200
    openid = secured.openid
    assert openid.requests[fetched_before:] == [openid.metadata_path, openid.keys_path]


# Refused -------------------------------------------------------------------------------


def _tamper(token: str) -> str:
    """The signature of one set of claims on another (audience swapped)."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["aud"] = OTHER_APP_ID
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


Authorization = Callable[["OpenIdService", str], "str | None"]

# Authorization header values that are not a Bearer JWT at all.
MALFORMED = {
    "not-a-jwt": "Bearer not-a-jwt",
    "three-garbage-parts": "Bearer abc.def.ghi",
    "empty-bearer": "Bearer ",
    "no-scheme": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
    "basic-scheme": "Basic dXNlcjpwYXNz",
    "bearer-and-more": "Bearer a b",
}


def _constant(header: str) -> Authorization:
    return lambda o, url: header


BAD_AUTHORIZATION: dict[str, Authorization] = {
    "no-authorization-header": lambda o, url: None,
    **{f"malformed-{name}": _constant(value) for name, value in MALFORMED.items()},
    "unknown-key": lambda o, url: f"Bearer {o.token_from_unknown_key(APP_ID, url)}",
    "known-kid-wrong-key": lambda o, url: f"Bearer {o.token_with_forged_signature(APP_ID, url)}",
    "tampered-claims": lambda o, url: f"Bearer {_tamper(o.token(APP_ID, url))}",
    "unsigned-alg-none": lambda o, url: f"Bearer {o.unsigned_token(APP_ID, url)}",
    "expired": lambda o, url: f"Bearer {o.expired_token(APP_ID, url)}",
    "not-yet-valid": lambda o, url: f"Bearer {o.not_yet_valid_token(APP_ID, url)}",
    "other-audience": lambda o, url: f"Bearer {o.token_for_audience(OTHER_APP_ID, url)}",
    "no-audience": lambda o, url: f"Bearer {o.token(APP_ID, url, aud=None)}",
    "other-issuer": lambda o, url: f"Bearer {o.token(APP_ID, url, iss='https://evil.example')}",
    "no-issuer": lambda o, url: f"Bearer {o.token(APP_ID, url, iss=None)}",
    "other-service-url": lambda o, url: (
        f"Bearer {o.token(APP_ID, 'https://smba.trafficmanager.net/amer/')}"
    ),
    "no-service-url-claim": lambda o, url: f"Bearer {o.token(APP_ID, url, serviceurl=None)}",
    "key-not-endorsed-for-msteams": lambda o, url: (
        f"Bearer {o.token_from_key_without_endorsement(APP_ID, url)}"
    ),
}


def _activities(service_url: str) -> dict[str, dict[str, Any]]:
    """Each would read and write the store; the message and the install would also post to
    the connector."""
    return {
        "card-click": click(service_url),
        "channel-message": a.message(service_url, "status", mention=True),
        "install": a.install(service_url)[0],
    }


@pytest.mark.parametrize("activity_kind", ["card-click", "channel-message", "install"])
@pytest.mark.parametrize("case", list(BAD_AUTHORIZATION))
async def test_request_without_a_valid_token_is_401_and_touches_nothing(
    secured: SecuredBot, case: str, activity_kind: str
) -> None:
    authorization = BAD_AUTHORIZATION[case](secured.openid, secured.service_url)
    activity = _activities(secured.service_url)[activity_kind]
    status, body = await secured.send(activity, authorization)
    assert secured.store.calls == [], "the store was used before the request was refused"
    assert secured.connector.calls == []
    assert status == 401, body
    assert await secured.engagement(PERSONAL_KEY) is None
    assert await secured.engagement(CHANNEL_KEY) is None


async def test_a_token_is_good_for_its_own_service_url_only(secured: SecuredBot) -> None:
    """A valid token replayed with an activity that names another serviceUrl is refused, so
    a stolen token cannot make the bot post somewhere else."""
    token = secured.openid.token(APP_ID, secured.service_url)
    activity = click("http://127.0.0.1:9/elsewhere/")
    status, _ = await secured.send(activity, f"Bearer {token}")
    assert status == 401
    assert secured.store.calls == []


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"type": "message"}', b'{"conversation": 5}'],
    ids=["not-json", "not-an-object", "no-conversation", "conversation-of-wrong-type"],
)
@pytest.mark.parametrize("case", ["no-authorization-header", "malformed-not-a-jwt", "expired"])
async def test_body_that_is_not_an_activity_without_a_valid_token_is_401(
    secured: SecuredBot, case: str, body: bytes
) -> None:
    """Without a valid token the caller learns nothing about what the bot accepts."""
    authorization = BAD_AUTHORIZATION[case](secured.openid, secured.service_url)
    headers = {} if authorization is None else {"Authorization": authorization}
    status, _ = await secured.harness.post_raw(body, headers=headers)
    assert secured.store.calls == []
    assert status == 401


async def test_body_that_is_not_an_activity_with_a_valid_token_is_400(secured: SecuredBot) -> None:
    token = secured.openid.token(APP_ID, secured.service_url)
    status, _ = await secured.harness.post_raw(
        b"{not json", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 400
    assert secured.store.calls == []
