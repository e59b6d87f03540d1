"""One rule for the text people give us, in a form or in a file: what a person can type and
read. Refused: control characters (C0 and C1, U+0085 included) other than tab and line breaks;
the direction controls that make text read differently from what it is (U+202A-U+202E,
U+2066-U+2069, "Trojan Source"); invisible characters (zero-width spaces and joiners, U+200B-
U+200F, U+2060, a byte-order mark inside text); and what is left of text that was not real
UTF-8 (U+FFFD, lone surrogates)."""

import unicodedata

_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
_NOT_REAL_TEXT = frozenset("\ufffd")
ALLOWED_CONTROLS = frozenset("\r\n\t")
MESSAGE = "Remove the unusual characters from this answer"


def is_unusual(ch: str) -> bool:
    code = ord(ch)
    if code < 32 or 0x7F <= code <= 0x9F:
        return ch not in ALLOWED_CONTROLS
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate: never in real UTF-8
        return True
    return ch in _DIRECTION_CONTROLS or ch in _INVISIBLE or ch in _NOT_REAL_TEXT


def first_unusual(text: str) -> str | None:
    """The first character the rule refuses, or None."""
    return next((ch for ch in text if is_unusual(ch)), None)


def describe(ch: str) -> str:
    """How a message names a refused character: U+202E (RIGHT-TO-LEFT OVERRIDE)."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")
