"""The words for the values an audit event keeps: pounds for pence, dates as GOV.UK writes them,
financial years for a profile's keys, people's and things' names for their ids.

Pure functions: they take the names already looked up (`names`, keyed by (kind, id)), so a page
of events costs a fixed number of queries (`audit_sentences`)."""

import re
from datetime import date, datetime

from tracker.domain.money import format_pounds
from tracker.domain.periods import FinancialYear

# Keys whose value is the id of another thing, and the kind of thing it is.
ID_KINDS = {
    "stream_id": "funding_stream",
    "organisation_id": "organisation",
    "department_id": "department",
    "milestone_id": "milestone",
    "return_id": "milestone_return",
}

LABELS = {
    "amount_pence": "the amount",
    "announced_pence": "the announced amount",
    "resource_pence": "resource (RDEL)",
    "capital_pence": "capital (CDEL)",
    "payment_pence": "the payment",
    "awarded_on": "the award date",
    "planned_start": "the planned start",
    "planned_end": "the planned end",
    "announced_on": "the announcement date",
    "due_on": "the due date",
    "paid_on": "the date paid",
    "completed_on": "the date completed",
    "self_rag": "the self-assessed RAG rating",
    "reviewer_rag": "the reviewer's RAG rating",
    "approved_by_id": "the approving officer",
    "requested_by_id": "the requester",
    "stream_id": "the stream",
    "organisation_id": "the organisation",
    "department_id": "the department",
    "org_id": "the org-id",
    "local_authority_code": "the local authority code",
    "ggis_scheme_id": "the GGIS scheme id",
    "is_illustrative": "illustrative",
    "active": "active",
    "financial_year": "the financial year",
    "payment_reference": "the payment reference",
    "declared_by_name": "the declaration's name",
    "first_year": "the first financial year",
    "last_year": "the last financial year",
    "requires_certifier_sign_off": "certifier sign-off required",
    "self_rag_reason": "the RAG reason",
    "is_lead": "team lead",
}

YEAR_KEYS = {"financial_year", "first_year", "last_year"}

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
YEAR = re.compile(r"^(19|20)\d{2}$")
LONGEST = 120  # a longer text (a description, a reason) is cut, the full text stays in the event


def label(key: str) -> str:
    """How a recorded key reads in a sentence ("the amount", "the profile for 2021 to 2022")."""
    if key in LABELS:
        return LABELS[key]
    if YEAR.match(key):
        return f"the profile for {FinancialYear(int(key)).label}"
    words = key.removesuffix("_pence").removesuffix("_id").replace("_", " ")
    return f"the {words}"


def day(value: date | datetime | str) -> str:
    """A date as the GOV.UK style writes it (4 December 2026), with the time for a moment."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def pounds(pence: int) -> str:
    """£60,000 for whole pounds, £1,250.50 otherwise."""
    return format_pounds(pence, whole=pence % 100 == 0)


def user_kind(key: str) -> bool:
    """Whether a key names a person (who did something: `*_by_id`)."""
    return key.endswith("_by_id")


def kind_of(key: str) -> str | None:
    """The kind of thing a key's value names, if it is an id."""
    if user_kind(key):
        return "app_user"
    return ID_KINDS.get(key)


def value(key: str, item, names: dict) -> str:
    """One value in words."""
    if item is None or item == "":
        return "none"
    kind = kind_of(key)
    if kind is not None and isinstance(item, int):
        return names.get((kind, item), f"{kind.replace('_', ' ')} {item}")
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, int) and (key.endswith("_pence") or YEAR.match(key) or money_key(key)):
        return pounds(item)
    if key in YEAR_KEYS and isinstance(item, int):
        return FinancialYear(item).label
    if isinstance(item, str) and (ISO_DATE.match(item) or ISO_DATETIME.match(item)):
        try:
            return day(item)
        except ValueError:
            return quoted(item)
    if isinstance(item, dict):
        return "; ".join(f"{label(k)} {value(k, v, names)}" for k, v in item.items())
    if isinstance(item, list):
        return ", ".join(str(v) for v in item) or "none"
    if isinstance(item, str):
        return quoted(item)
    return str(item)


# Spend categories and the like: keys whose value is money although they do not say so.
MONEY_KEYS = {"staff", "delivery", "overheads", "capital"}


def money_key(key: str) -> bool:
    """Whether a key holds pence, to be shown in pounds."""
    return key in MONEY_KEYS


def quoted(text: str) -> str:
    """Free text in curly quotes, on one line, cut short (with an ellipsis) past LONGEST."""
    text = " ".join(text.split())
    if len(text) > LONGEST:
        text = text[: LONGEST - 1].rstrip() + "…"
    return f"“{text}”"


def flatten(values: dict | None) -> dict:
    """A profile kept as {"profile": {"2020": pence}} reads as one value per year."""
    flat = {}
    for key, item in (values or {}).items():
        if key == "profile" and isinstance(item, dict):
            flat.update({str(year): pence for year, pence in item.items()})
        else:
            flat[key] = item
    return flat


def changes(before: dict | None, after: dict | None, names: dict, *, skip=()) -> list[str]:
    """ "the amount from £60,000 to £70,000", one phrase for each value that changed."""
    before, after = flatten(before), flatten(after)
    phrases = []
    for key in list(dict.fromkeys([*before, *after])):
        if key in skip:
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key not in before or old is None:
            phrases.append(f"{label(key)} set to {value(key, new, names)}")
        elif key not in after:
            phrases.append(f"{label(key)} from {value(key, old, names)}")
        else:
            phrases.append(
                f"{label(key)} from {value(key, old, names)} to {value(key, new, names)}"
            )
    return phrases


def facts(values: dict | None, names: dict, *, keys=None, skip=()) -> list[str]:
    """ "the amount £450,000", the values of a new thing worth saying."""
    flat = flatten(values)
    chosen = [k for k in (keys or flat) if k in flat and k not in skip]
    return [f"{label(k)} {value(k, flat[k], names)}" for k in chosen if flat[k] not in (None, "")]


def listed(phrases: list[str]) -> str:
    """Phrases joined as a sentence would: "a, b and c"."""
    if not phrases:
        return ""
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]
