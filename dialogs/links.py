"""Signed download links: the export files and the report's chart, served by the bot.

A link names what it serves (`kind`), the engagement and its tenant, and when it expires,
and carries an HMAC-SHA256 of exactly that, keyed by LINK_SIGNING_KEY. Nothing else in the
link is trusted: a changed kind, engagement, tenant or expiry no longer matches the
signature, and the file route (bot/files.py) also checks that the engagement still belongs to
the tenant. Every refusal is the same `LinkRefused`, which the route answers with 403 and no
data.
"""

from __future__ import annotations

import base64
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Literal

FileKind = Literal["xlsx", "csv", "chart"]
KINDS: tuple[FileKind, ...] = ("xlsx", "csv", "chart")
# The export links, as the issue asks; a report's chart lives as long as the week the
# report covers, so the card posted on Monday still shows it on Friday.
EXPORT_LIFETIME = timedelta(minutes=15)
CHART_LIFETIME = timedelta(days=8)
MAX_TOKEN_CHARS = 400
FILES_PATH = "/files"
MIN_LINK_KEY_BYTES = 32


class LinkRefused(Exception):
    """A link that is malformed, tampered with, expired or for something else."""


@dataclass(frozen=True)
class Grant:
    """What a valid link lets its holder download."""

    kind: FileKind
    engagement_id: str
    tenant_id: str
    expires: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LinkSigner:
    def __init__(self, key: bytes, public_base_url: str) -> None:
        if len(key) < MIN_LINK_KEY_BYTES:
            raise ValueError(f"the link signing key must have at least {MIN_LINK_KEY_BYTES} bytes")
        self._key = key
        self._base = public_base_url.rstrip("/")

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), sha256).digest())

    def url(self, kind: FileKind, engagement_id: str, tenant_id: str, now: datetime) -> str:
        lifetime = CHART_LIFETIME if kind == "chart" else EXPORT_LIFETIME
        claims = {
            "k": kind,
            "e": engagement_id,
            "t": tenant_id,
            "x": int((now + lifetime).timestamp()),
        }
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        suffix = ".png" if kind == "chart" else f".{kind}"
        return f"{self._base}{FILES_PATH}/{payload}.{self._signature(payload)}{suffix}"

    def verify(self, token: str, now: datetime) -> Grant:
        """The grant of `token` (the link's last path segment), or LinkRefused."""
        if len(token) > MAX_TOKEN_CHARS or not token.isascii():
            raise LinkRefused()
        stem, _, suffix = token.rpartition(".")
        payload, _, signature = stem.partition(".")
        if not payload or not hmac.compare_digest(signature, self._signature(payload)):
            raise LinkRefused()
        try:
            claims = json.loads(_unb64(payload))
            kind, expires = claims["k"], datetime.fromtimestamp(int(claims["x"]), now.tzinfo)
            grant = Grant(kind, str(claims["e"]), str(claims["t"]), expires)
        except (ValueError, KeyError, TypeError) as error:
            raise LinkRefused() from error
        if kind not in KINDS or suffix != ("png" if kind == "chart" else kind):
            raise LinkRefused()
        if expires <= now:
            raise LinkRefused()
        return grant
