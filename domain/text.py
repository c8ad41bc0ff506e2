"""What counts as saying nothing in text people type."""

from __future__ import annotations

import unicodedata

# Letters that show as nothing: the Hangul fillers (the usual way to make a Korean name or
# message look empty) and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Control and format characters (zero-width spaces and joiners, word joiner, BOM, soft
# hyphen, bidi controls), separators, and combining marks with nothing to combine with.
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})


def is_blank(text: str) -> bool:
    """True when the text shows nothing at all (an empty text included).

    Hand-written: Unicode's Default_Ignorable_Code_Point property would be the textbook test,
    but the standard library does not expose it and the `regex` package, which does, has no
    type information for mypy --strict; the general categories and the letters above cover
    the characters that property lists, and whitespace besides.
    """
    return all(
        c.isspace() or c in _BLANK_LETTERS or unicodedata.category(c) in _INVISIBLE for c in text
    )
