"""A local stand-in for the Bot Framework's token signing service: its OpenID metadata, its
signing keys (JWKS), and tokens signed with them, so the SDK's real validation runs offline.

It is a small HTTP server on its own thread, so it can also misbehave the way a real one can
without involving the test's event loop: `hang()` makes it accept requests and never answer
(until `answer()`), `publish_new_key()` rotates a key in, and `cache_control` is sent with the
key set. The RSA keys are made when the session starts; each app instance has its own key
cache (bot/auth.py), so the first token a new harness sees makes it fetch.

`with serve_openid() as service:` runs the endpoint; `service.metadata_url` is what the bot's
`BOT_OPENID_METADATA_URL` setting points at.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"
METADATA_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"


SHUTDOWN_TIMEOUT_S = 5.0


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str]) -> dict[str, Any]:
    """The public half of `key` as a JWKS entry, with the Bot Framework's endorsements."""
    entry: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return entry | {"kid": kid, "use": "sig", "endorsements": endorsements}


@dataclass
class OpenIdService:
    """Signs tokens the way the Bot Framework channel service does (RS256, `kid` header,
    issuer https://api.botframework.com, audience = the bot's app id, `serviceurl` claim)."""

    base_url: str = ""
    key: rsa.RSAPrivateKey = field(default_factory=new_rsa_key)
    kid: str = field(default_factory=lambda: f"local-{uuid.uuid4().hex[:12]}")
    # A published key whose endorsements do not include the msteams channel.
    webchat_key: rsa.RSAPrivateKey = field(default_factory=new_rsa_key)
    webchat_kid: str = field(default_factory=lambda: f"webchat-{uuid.uuid4().hex[:12]}")
    # Paths requested so far, in order (the metadata and key fetches).
    requests: list[str] = field(default_factory=list)
    # Keys published after the start (publish_new_key), each endorsed for msteams.
    new_keys: list[tuple[str, rsa.RSAPrivateKey]] = field(default_factory=list)
    cache_control: str | None = None
    # Set: requests are held unanswered until it is cleared again (answer()).
    hanging: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)

    metadata_path: str = METADATA_PATH
    keys_path: str = KEYS_PATH

    @property
    def metadata_url(self) -> str:
        return self.base_url + METADATA_PATH

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": ISSUER,
            "authorization_endpoint": "https://invalid.example/oauth2/v2.0/authorize",
            "jwks_uri": self.base_url + KEYS_PATH,
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                jwk(self.key, self.kid, ["msteams", "webchat", "emulator"]),
                jwk(self.webchat_key, self.webchat_kid, ["webchat"]),
                *(jwk(key, kid, ["msteams"]) for kid, key in self.new_keys),
            ]
        }

    def publish_new_key(self) -> tuple[str, rsa.RSAPrivateKey]:
        """A key rotated in: published from now on, its id never seen before."""
        entry = (f"rotated-{uuid.uuid4().hex[:12]}", new_rsa_key())
        self.new_keys.append(entry)
        return entry

    def hang(self) -> None:
        self.answered.clear()
        self.hanging.set()

    def answer(self) -> None:
        self.hanging.clear()
        self.answered.set()

    def reset(self) -> None:
        self.answer()
        self.new_keys.clear()
        self.cache_control = None

    # Tokens ---------------------------------------------------------------------------

    def claims(
        self,
        app_id: str,
        service_url: str,
        *,
        lifetime: timedelta = timedelta(hours=1),
        not_before: timedelta = timedelta(minutes=-5),
        **overrides: Any,
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        claims = {
            "serviceurl": service_url,
            "nbf": int((now + not_before).timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "iss": ISSUER,
            "aud": app_id,
        }
        claims |= overrides
        return {k: v for k, v in claims.items() if v is not None}

    def sign(
        self,
        claims: dict[str, Any],
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        algorithm: str = "RS256",
    ) -> str:
        headers = {"kid": kid or self.kid, "x5t": kid or self.kid, "typ": "JWT"}
        signing_key = key or self.key
        return jwt.encode(claims, signing_key, algorithm=algorithm, headers=headers)

    def token(self, app_id: str, service_url: str, **overrides: Any) -> str:
        """A valid channel token for `app_id`, for activities carrying `service_url`."""
        return self.sign(self.claims(app_id, service_url, **overrides))

    def expired_token(self, app_id: str, service_url: str) -> str:
        # The SDK allows 5 minutes of clock skew; this one ended an hour ago.
        return self.token(
            app_id, service_url, lifetime=timedelta(hours=-1), not_before=timedelta(hours=-2)
        )

    def not_yet_valid_token(self, app_id: str, service_url: str) -> str:
        return self.token(
            app_id, service_url, not_before=timedelta(hours=1), lifetime=timedelta(hours=2)
        )

    def token_for_audience(self, audience: str, service_url: str) -> str:
        return self.token(audience, service_url)

    def token_from_unknown_key(self, app_id: str, service_url: str) -> str:
        """Signed by a key that is not published, under a key id that is not published."""
        return self.sign(
            self.claims(app_id, service_url), key=new_rsa_key(), kid=f"unknown-{uuid.uuid4()}"
        )

    def token_with_forged_signature(self, app_id: str, service_url: str) -> str:
        """Signed by a key that is not published, claiming the published key's id."""
        return self.sign(self.claims(app_id, service_url), key=new_rsa_key(), kid=self.kid)

    def token_from_key_without_endorsement(self, app_id: str, service_url: str) -> str:
        """Signed by a published key whose endorsements do not include msteams."""
        return self.sign(
            self.claims(app_id, service_url), key=self.webchat_key, kid=self.webchat_kid
        )

    def unsigned_token(self, app_id: str, service_url: str) -> str:
        """alg "none": a valid-looking token with no signature at all."""
        claims = self.claims(app_id, service_url)
        return jwt.encode(claims, "", algorithm="none", headers={"kid": self.kid})


def _handler(service: OpenIdService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            service.requests.append(self.path)
            if service.hanging.is_set():
                service.answered.wait(timeout=60)
            if self.path == METADATA_PATH:
                body = service.metadata()
            elif self.path == KEYS_PATH:
                body = service.jwks()
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if self.path == KEYS_PATH and service.cache_control:
                self.send_header("Cache-Control", service.cache_control)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve_openid() -> Iterator[OpenIdService]:
    """The metadata and key endpoints on a loopback port, on a thread of their own."""
    service = OpenIdService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    host, port = server.server_address[:2]
    service.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, name="openid-metadata", daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=SHUTDOWN_TIMEOUT_S)
