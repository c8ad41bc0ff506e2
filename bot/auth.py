"""Token handling around botbuilder's validation, without blocking the event loop.

botbuilder's (unchanged, 4.17.1): every validation rule. JwtTokenValidation picks channel,
emulator or skill validation by the token's issuer; ChannelValidation and EmulatorValidation
hold the allowed issuers, the audience (= app id) check, the `serviceurl` claim check and the
5-minute clock skew; JwtTokenExtractor checks the key's endorsements for the activity's
channel, the allowed algorithms and the RS256 signature and lifetime.

Ours: where the signing keys come from, and the outbound Azure AD tokens.
- `SigningKeys`: the OpenID metadata and its JWKS, fetched with aiohttp under one short
  deadline, kept for the HTTP cache lifetime the server gives, refreshed in the background
  when that runs out, and refreshed once (at most once a minute) when a token names a key id
  that is not in the set. While no keys can be had, validation raises `SigningKeysUnavailable`
  at once (the adapter answers 503) instead of waiting on every request. botbuilder's own
  fetch (`requests` on the event loop, no timeout, refreshed daily) is not used: its
  `JwtTokenExtractor.get_open_id_metadata` is pointed here.
- `require_expiry`, `check_token_tenant`: rules botbuilder lacks (a token without `exp`; a
  token tenant that differs from the activity's).
Outbound Azure AD tokens are in bot/tokens.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from botframework.connector.auth import (
    AuthenticationConstants,
    ClaimsIdentity,
    JwtTokenExtractor,
)
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("bot.auth")

# One deadline for the metadata document and the key set together.
KEY_FETCH_TIMEOUT_S = 3.0
# After a failed fetch, requests are answered 503 at once for this long before trying again.
KEY_RETRY_INTERVAL_S = 10.0
# A token naming an unknown key id refreshes the keys at most this often.
UNKNOWN_KEY_REFRESH_INTERVAL_S = 60.0
# Bounds on the key set's lifetime; without a Cache-Control max-age, botbuilder's one day.
MIN_KEY_LIFETIME_S = 300.0
MAX_KEY_LIFETIME_S = DEFAULT_KEY_LIFETIME_S = 24 * 3600.0
# Keys that could not be refreshed stay in use this long past their lifetime: keys are
# published long before they sign, so an outage of the metadata endpoint need not stop us.
STALE_KEY_GRACE_S = 24 * 3600.0

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*(\d+)", re.IGNORECASE)


class SigningKeysUnavailable(Exception):
    """No usable signing keys now; the request should be answered 503, not 401."""


class UnknownSigningKey(Exception):
    """The token names a key id that the metadata does not publish."""


@dataclass(frozen=True)
class SigningKey:
    """What botbuilder's JwtTokenExtractor reads from its key lookup."""

    public_key: Any
    endorsements: list[str]


def cache_lifetime(cache_control: str | None) -> float:
    match = _MAX_AGE.search(cache_control or "")
    if match is None:
        return DEFAULT_KEY_LIFETIME_S
    return min(MAX_KEY_LIFETIME_S, max(MIN_KEY_LIFETIME_S, float(match.group(1))))


class SigningKeys:
    """The signing keys published behind one OpenID metadata URL."""

    def __init__(self, metadata_url: str, session: aiohttp.ClientSession) -> None:
        self.metadata_url = metadata_url
        self._session = session
        self._keys: dict[str, SigningKey] = {}
        self._fresh_until = 0.0  # monotonic
        self._failed_at = float("-inf")
        self._unknown_key_refresh_at = float("-inf")
        self._refresh: asyncio.Task[None] | None = None

    async def get(self, key_id: str | None) -> SigningKey:
        """The key `key_id`, as botbuilder's `_OpenIdMetadata.get` returns it."""
        now = time.monotonic()
        if not self._keys or now > self._fresh_until + STALE_KEY_GRACE_S:
            await self._refreshed(now)
        elif now > self._fresh_until:
            self._start_refresh()  # in the background; the current keys serve meanwhile
        key = self._keys.get(key_id or "")
        if key is None and now - self._unknown_key_refresh_at > UNKNOWN_KEY_REFRESH_INTERVAL_S:
            self._unknown_key_refresh_at = now
            await self._refreshed(now)
            key = self._keys.get(key_id or "")
        if key is None:
            raise UnknownSigningKey(f"no published signing key {key_id!r}")
        return key

    async def _refreshed(self, now: float) -> None:
        """Waits for a refresh (shared with concurrent callers), within the fetch deadline."""
        if now - self._failed_at < KEY_RETRY_INTERVAL_S and self._refresh is None:
            if self._keys:
                return
            raise SigningKeysUnavailable("the signing keys could not be fetched just now")
        await asyncio.shield(self._start_refresh())
        if not self._keys:
            raise SigningKeysUnavailable("the signing keys could not be fetched")

    def _start_refresh(self) -> asyncio.Task[None]:
        if self._refresh is None:
            self._refresh = asyncio.create_task(self._fetch())
        return self._refresh

    async def _fetch(self) -> None:
        try:
            async with asyncio.timeout(KEY_FETCH_TIMEOUT_S):
                metadata, _ = await self._get_json(self.metadata_url)
                jwks, cache_control = await self._get_json(str(metadata["jwks_uri"]))
            keys = {
                str(entry["kid"]): SigningKey(
                    RSAAlgorithm.from_jwk(json.dumps(entry)),
                    [str(e) for e in entry.get("endorsements") or []],
                )
                for entry in jwks["keys"]
                if isinstance(entry, dict) and entry.get("kid") and entry.get("kty") == "RSA"
            }
        except Exception as error:  # any failure of the endpoint: keep what we have
            self._failed_at = time.monotonic()
            log.warning(
                "cannot fetch the signing keys from %s: %s",
                self.metadata_url,
                type(error).__name__,
            )
        else:
            self._keys = keys
            self._fresh_until = time.monotonic() + cache_lifetime(cache_control)
        finally:
            self._refresh = None

    async def _get_json(self, url: str) -> tuple[Any, str | None]:
        async with self._session.get(url) as response:
            response.raise_for_status()
            return await response.json(content_type=None), response.headers.get("Cache-Control")


class SigningKeyStore:
    """The key sets of one app, one per metadata URL botbuilder asks for, on one session."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._by_url: dict[str, SigningKeys] = {}

    def for_url(self, metadata_url: str) -> SigningKeys:
        keys = self._by_url.get(metadata_url)
        if keys is None:
            if self._session is None:
                self._session = aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=KEY_FETCH_TIMEOUT_S)
                )
            keys = self._by_url[metadata_url] = SigningKeys(metadata_url, self._session)
        return keys

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._by_url.clear()


_current_store: contextvars.ContextVar[SigningKeyStore] = contextvars.ContextVar("signing_keys")


def _signing_keys_for(metadata_url: str) -> SigningKeys:
    store = _current_store.get(None)
    if store is None:  # validation outside `signing_keys_from`: never fall back to blocking
        raise SigningKeysUnavailable("token validation outside the adapter")
    return store.for_url(metadata_url)


# botbuilder builds a JwtTokenExtractor per validation and asks this static method for the
# metadata object whose `get(kid)` it awaits; every such object is now a SigningKeys.
JwtTokenExtractor.get_open_id_metadata = staticmethod(_signing_keys_for)


@contextlib.contextmanager
def signing_keys_from(store: SigningKeyStore) -> Iterator[None]:
    """Token validation inside this block takes its keys from `store`."""
    token = _current_store.set(store)
    try:
        yield
    finally:
        _current_store.reset(token)


# Rules botbuilder lacks -------------------------------------------------------------------


class TokenRefused(Exception):
    pass


def require_expiry(identity: ClaimsIdentity) -> None:
    """PyJWT checks `exp` only where present; a token that never expires is refused."""
    anonymous = identity.authentication_type == AuthenticationConstants.ANONYMOUS_AUTH_TYPE
    if not anonymous and (identity.claims or {}).get("exp") is None:
        raise TokenRefused("token has no exp")


def check_token_tenant(identity: ClaimsIdentity, tenant: str | None) -> None:
    """A token issued for a tenant (`tid`) is good for that tenant's activities only."""
    token_tenant = (identity.claims or {}).get("tid")
    if token_tenant is not None and tenant is not None and token_tenant != tenant:
        raise TokenRefused("token tenant differs from the activity's")
