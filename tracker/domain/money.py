"""Money is whole pence (int) inside the service and Decimal pounds at its edges. Never float."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENCE_PER_POUND = 100
# The largest sum any form accepts: £10 billion. More than any grant programme; fits BigInteger.
MAX_PENCE = 10_000_000_000 * PENCE_PER_POUND

# ASCII digits only: \d alone would take other scripts' digits (Arabic-Indic "١٢٣" as 123).
_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$", re.ASCII)


class MoneyError(ValueError):
    """Raised with a message that can be shown to the user as it is."""


def parse_pounds(text: str, *, name: str = "amount") -> int:
    """Read what someone typed ("£1,250.50", "1250.5", "1,250") into whole pence."""
    cleaned = (text or "").strip().replace(" ", "")
    if cleaned.startswith("£"):
        cleaned = cleaned[1:]
    if not cleaned:
        raise MoneyError(f"Enter the {name}")
    if cleaned.startswith("-"):
        raise MoneyError(f"The {name} must be £0 or more")
    if not _AMOUNT.match(cleaned):
        raise MoneyError(f"Enter the {name} in pounds, like 1250.50")
    try:
        pounds = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern above admits only digits
        raise MoneyError(f"Enter the {name} in pounds, like 1250.50") from error
    if pounds.as_tuple().exponent < -2:
        raise MoneyError(f"The {name} must not have more than 2 decimal places")
    pence = int(pounds * PENCE_PER_POUND)
    if pence > MAX_PENCE:
        raise MoneyError(f"The {name} must be £{MAX_PENCE // PENCE_PER_POUND:,} or less")
    return pence


def to_pounds(pence: int) -> Decimal:
    """Pence as pounds, exactly, to two places: 125050 -> Decimal('1250.50')."""
    return Decimal(pence).scaleb(-2)


def format_pounds(pence: int | None, *, whole: bool = False) -> str:
    """£1,250.50; with whole=True, £1,251 (for tables of large sums, halves rounded up).
    Whole-number arithmetic: a dashboard writes hundreds of these a page."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), PENCE_PER_POUND)
    if whole:
        return f"{sign}£{pounds + (pennies >= 50):,}"
    return f"{sign}£{pounds:,}.{pennies:02d}"


def format_input(pence: int | None) -> str:
    """The value to put back in a form field: 1250.50, without the £ or commas."""
    return "" if pence is None else f"{to_pounds(pence)}"


def percentage(part: int, whole: int) -> Decimal:
    """Whole-number-to-one-place share, computed in Decimal so it is exact."""
    if whole <= 0:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
