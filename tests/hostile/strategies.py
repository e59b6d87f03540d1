"""Hostile values for forms, as hypothesis strategies: what a careless, unlucky or malicious
person (or a broken client) might post in place of a sensible answer.

A value is `str` (sent UTF-8 encoded, as a browser does), `bytes` (sent exactly as given, so a
lone surrogate or a byte that is not UTF-8 at all reaches the server), or a `list` of either (a
field posted more than once: the GOV.UK date input posts day, month and year under one name).
"""

from hypothesis import strategies as st

# Markers that must never come back raw: if one does, the page runs script of the poster's.
SCRIPT = "<script>alert('hh-xss')</script>"
IMG = '"><img src=x onerror=alert("hh-xss")>'
ATTRIBUTE = "' onmouseover='alert(1)' x='"
MARKUP_PAYLOADS = [
    SCRIPT,
    IMG,
    "</textarea><script>alert('hh-xss')</script>",
    "</title><svg/onload=alert('hh-xss')>",
    "<a href=\"javascript:alert('hh-xss')\">click</a>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
]
TEMPLATE_PAYLOADS = ["{{ 7*7 }}", "{% raw %}x", "${7*7}", "#{7*7}", "%s%s%s%n", "{0.__class__}"]
SQL_PAYLOADS = [
    "'; DROP TABLE allocation; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; DELETE FROM app_user",
    "1 OR 1=1",
    "\\'; SELECT pg_sleep(0); --",
    "admin'--",
    "%",
    "_",
]
CONTROL = ["\x00", "a\x00b", "\x01\x02\x03", "\x07", "\x1b[31m", "\x7f", "\x85", "\r", "\t\t"]
UNICODE = [
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",  # Arabic, right to left
    "שלום",
    "😀👩‍👩‍👧‍👦🏳️‍🌈",  # emoji and joiners
    "e\u0301" * 50,  # combining accents
    "Z̴̡̢̛̗̘̙̜̝̞̟̠̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̕̚ͅ",  # a stack of combining marks
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and a BOM
    "\u2028\u2029",  # line and paragraph separators
    "\uffff\ufffe",  # non-characters
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",  # outside the basic plane
    "ﬃ",  # a ligature that case-folds to three letters
    "İ",  # upper case that lower-cases to two characters
]
# Bytes that are not UTF-8: a lone surrogate as CESU/WTF-8, a stray continuation byte, Latin-1.
RAW_BYTES = [b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xff\xfe", b"\x80abc", b"caf\xe9", b"\xc0\xaf"]
WHITESPACE = ["", " ", "   ", "\t", "\n\n", "\u00a0", "\u3000", "\r\n \r\n"]
NUMBERS = [
    "-1",
    "-0",
    "-0.01",
    "0",
    "1e309",
    "1E3",
    "1e-5",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1,000,000",
    "1,00,000",
    "1.234.567,89",
    "£1,234.50",
    "££5",
    "$5",
    "€5",
    "5£",
    "0x1F",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "²",
    "１２３",  # full-width digits
    "9" * 30,
    "9" * 400,
    "1.005",
    "0.001",
    "+5",
    "(5)",
    "5-",
    "1 000",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "1.7976931348623157e308",
]
IDS = ["-1", "0", "2147483647", "2147483648", "99999999999999999999", "1.0", " 1", "1 OR 1=1", "a"]
DATE_PARTS = [
    ["31", "2", "2021"],
    ["30", "2", "2020"],
    ["29", "2", "2021"],
    ["0", "0", "0"],
    ["1", "1", "0"],
    ["1", "1", "99999"],
    ["1", "13", "2021"],
    ["32", "1", "2021"],
    ["-1", "1", "2021"],
    ["1", "1", "-2021"],
    ["１", "１", "２０２１"],
    ["1.5", "1", "2021"],
    ["1e1", "1", "2021"],
    ["", "", ""],
    ["1", "", ""],
    ["", "", "2021"],
    ["1"],
    ["1", "1"],
    ["1", "1", "2021", "2022"],
    ["99999999999999999999", "1", "2021"],
    ["01", "01", "1899"],
    ["31", "12", "2101"],
    ["\x00", "1", "2021"],
    ["1", "1", "٢٠٢١"],
]


def _long_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=10_000, max_value=120_000).map(lambda n: "x" * n),
        st.integers(min_value=2_000, max_value=20_000).map(lambda n: "😀" * n),
        st.integers(min_value=10_001, max_value=12_000).map(lambda n: (SCRIPT * n)[:n]),
        st.sampled_from([201, 255, 256, 1001, 2001, 5001, 10_001]).map(lambda n: "é" * n),
    )


def _markup() -> st.SearchStrategy[str]:
    """A script or markup payload, alone or inside other text."""
    payload = st.sampled_from(MARKUP_PAYLOADS)
    return st.one_of(
        payload,
        st.tuples(st.text(max_size=20), payload, st.text(max_size=20)).map("".join),
    )


def hostile_text() -> st.SearchStrategy:
    """Any hostile value for a text box (a scalar: str or bytes)."""
    return st.one_of(
        st.sampled_from(WHITESPACE),
        st.sampled_from(CONTROL),
        st.sampled_from(UNICODE),
        st.sampled_from(RAW_BYTES),
        st.sampled_from(SQL_PAYLOADS + TEMPLATE_PAYLOADS),
        st.sampled_from(NUMBERS),
        st.sampled_from(IDS),
        _markup(),
        _long_text(),
        # Anything at all, control characters included.
        st.text(st.characters(codec="utf-8"), max_size=60),
        st.binary(max_size=40),
    )


def hostile_date() -> st.SearchStrategy:
    """A value for a GOV.UK date input: its three parts malformed, or one hostile scalar."""
    return st.one_of(
        st.sampled_from(DATE_PARTS),
        st.lists(hostile_text(), min_size=3, max_size=3),
        hostile_text(),
    )


def hostile_value(kind: str) -> st.SearchStrategy:
    if kind == "date":
        return hostile_date()
    if kind in {"money", "number"}:
        return st.one_of(st.sampled_from(NUMBERS), hostile_text())
    if kind in {"id", "version"}:
        return st.one_of(st.sampled_from(IDS), hostile_text())
    return hostile_text()


def contains_markup(value) -> list[str]:
    """The markup payloads inside a posted value, to look for raw on the page."""
    values = value if isinstance(value, list) else [value]
    return [
        payload
        for item in values
        if isinstance(item, str)
        for payload in MARKUP_PAYLOADS
        if payload in item
    ]
