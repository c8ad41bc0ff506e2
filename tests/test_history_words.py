"""Every kind of audited change reads as words in the history, in both languages (a role
change, audited since issue 16 item 2, made the history card fail)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.catalog import LANGUAGES, Language
from domain.engagement import Actor, AuditEntry, Change
from domain.history import change_words


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("change", list(Change))
def test_every_change_has_words(change: Change, lang: Language) -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    entry = AuditEntry(1, "op", at, Actor("29:x", "X"), "engagement", change, None, None)
    assert change_words(entry, lang, {}, "UTC")


def test_a_role_change_names_the_people() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    entry = AuditEntry(1, "op", at, Actor("29:x", "X"), "engagement", Change.ROLE, "a1", "a2")
    names = {"a1": "Kim Minji", "a2": "Lee Jun"}
    assert change_words(entry, "en", names, "UTC") == "setup by Kim Minji → Lee Jun"
