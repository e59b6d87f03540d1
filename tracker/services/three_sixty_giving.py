"""The 360Giving data package (standard release 1.4) of the grants the department awarded.

Rules:
- A grant is an allocation that was awarded: offered, accepted, active or closed. Drafts were
  never awarded and withdrawn allocations were taken back, so neither is published.
- Its funder is its stream's department, as the source or an officer names it, and only once
  that department's org-id has been confirmed against the Government Organisation Register
  (department.org_id_confirmed). A stream that names no funder (the FLOWS project, say) is never
  published under a default (the publisher, or any department): its grants are kept out until
  an officer names the funder, and the exports page says how many were kept out.
- Amounts are JSON numbers in pounds: whole pounds as integers, anything else with its pence.
- Where the grantee has an ONS local-authority code, it is the recipient's location and the
  beneficiary location, with the geoCodeType the standard's codelist gives that kind of area
  (UA, NMD, MD, LONB, CTY, ...) from the code's entity prefix.
- Demo data is marked: an illustrative allocation says so in its description.

Nothing here touches the request: the view passes the publisher and the URLs.
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.domain.money import to_pounds

SCHEMA_VERSION = "1.4"
CURRENCY = "GBP"
OPEN_GOVERNMENT_LICENCE = (
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)
# ONS statistical entity (the first three characters of a GSS code) -> the geoCodeType codelist
# of the 360Giving standard (codelists/geoCodeType.csv) for the areas a local authority covers.
GEO_CODE_TYPES = {
    "E06": "UA",  # unitary authorities (England)
    "E07": "NMD",  # non-metropolitan districts
    "E08": "MD",  # metropolitan districts
    "E09": "LONB",  # London boroughs
    "E10": "CTY",  # counties
    "W06": "UA",  # unitary authorities (Wales)
    "S12": "CA",  # council areas (Scotland)
}


@dataclass(frozen=True)
class Publisher:
    org_id: str
    name: str


# Used when the settings name no publisher. Configure THREE_SIXTY_GIVING_PUBLISHER_ID and
# THREE_SIXTY_GIVING_PUBLISHER_NAME for the department that actually publishes the file.
DEFAULT_PUBLISHER = Publisher("GB-GOR-D6", "Department for Education")


def publisher_from(settings: Mapping[str, Any]) -> Publisher:
    """Who publishes the 360Giving data: from the settings, else the department's default."""
    return Publisher(
        settings.get("THREE_SIXTY_GIVING_PUBLISHER_ID") or DEFAULT_PUBLISHER.org_id,
        settings.get("THREE_SIXTY_GIVING_PUBLISHER_NAME") or DEFAULT_PUBLISHER.name,
    )


def amount_in_pounds(pence: int) -> int | float:
    """A JSON number for an amount of money. Whole pounds are an int (300000). Otherwise the
    Decimal pounds become a float, whose shortest representation (what json writes) is the same
    two-decimal figure (1234.56) for every amount up to £10bn; the check makes that certain."""
    pounds = to_pounds(pence)
    if pounds == pounds.to_integral_value():
        return int(pounds)
    number = float(pounds)
    if Decimal(repr(number)) != pounds:  # pragma: no cover - beyond 15 significant digits
        raise ValueError(f"£{pounds} cannot be written exactly as a JSON number")
    return number


def _timestamp(moment: datetime) -> str:
    """A stored (naive, UTC) time as an RFC 3339 date-time."""
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def location(gss_code: str, name: str) -> dict:
    """A 360Giving location for a GSS code, with its geoCodeType where the code's prefix says it."""
    place = {"name": name, "geoCode": gss_code, "countryCode": "GB"}
    code_type = GEO_CODE_TYPES.get(gss_code[:3])
    if code_type:
        place["geoCodeType"] = code_type
    return place


def _description(row: Mapping) -> str:
    parts = [f"A grant from the {row['stream_name']} programme."]
    if row.get("stream_description"):
        parts.append(row["stream_description"])
    if row.get("is_illustrative"):
        parts.append("Illustrative demo data: this is not a real grant.")
    return " ".join(parts)


def grant(row: Mapping, *, publisher: Publisher, data_source: str | None = None) -> dict:
    """One grant record from an awarded allocation's row (see awarded_allocation_rows)."""
    recipient = {"id": row["organisation_org_id"], "name": row["organisation_name"]}
    if row.get("local_authority_code"):
        recipient["location"] = [location(row["local_authority_code"], row["organisation_name"])]
    if not row.get("funder_org_id"):
        raise ValueError(f"{row['identifier']} has no named funder: it cannot be published")
    funder = {"id": row["funder_org_id"], "name": row["funder_name"]}
    record = {
        "id": row["identifier"],
        "title": row["title"],
        "description": _description(row),
        "currency": CURRENCY,
        "amountAwarded": amount_in_pounds(row["amount_pence"]),
        # Paid less any money paid back when the grant closed (never below nothing).
        **(
            {"amountDisbursed": amount_in_pounds(max(int(row["disbursed_pence"]), 0))}
            if row.get("disbursed_pence") is not None
            else {}
        ),
        "awardDate": _iso(row["awarded_on"]),
        "plannedDates": [
            {"startDate": _iso(row["planned_start"]), "endDate": _iso(row["planned_end"])}
        ],
        "recipientOrganization": [recipient],
        "fundingOrganization": [funder],
        "grantProgramme": [{"code": row["stream_code"], "title": row["stream_name"]}],
    }
    if row.get("local_authority_code"):
        record["beneficiaryLocation"] = [
            location(row["local_authority_code"], row["organisation_name"])
        ]
    if data_source:
        record["dataSource"] = data_source
    if row.get("updated_at"):
        record["dateModified"] = _timestamp(row["updated_at"])
    return record


def _iso(day: date) -> str:
    return day.isoformat()


def package_metadata(
    *,
    publisher: Publisher,
    generated_at: datetime,
    download_url: str | None = None,
    filters_text: str = "",
) -> dict:
    """The package-level fields. Only `grants` is required by the schema; these say what the
    file is, who published it, when, and under which licence."""
    description = "Grants awarded from the Hidden Harms funding streams announced on 21 May 2020"
    description += f" ({filters_text})." if filters_text else "."
    metadata = {
        "version": SCHEMA_VERSION,
        "title": f"Hidden Harms grants awarded, as at {generated_at:%Y-%m-%d %H:%M} UTC",
        "description": description,
        "issued": generated_at.date().isoformat(),
        "modified": _timestamp(generated_at),
        "identifier": f"hidden-harms-grants-{generated_at:%Y%m%dT%H%M%SZ}",
        "publisher": {"identifier": publisher.org_id, "name": publisher.name},
        "license": OPEN_GOVERNMENT_LICENCE,
    }
    if download_url:
        metadata["downloadURL"] = download_url
    return metadata


def stream_package(metadata: Mapping, grants: Iterable[Mapping]) -> Iterator[str]:
    """The package as JSON text, one grant at a time: however many grants there are, only one
    is in memory. (A package with no grants is written as it is; the schema asks for at least
    one, so the page says when a filter leaves none.)"""
    yield '{"grants": ['
    for number, record in enumerate(grants):
        yield ("," if number else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]"
    for key, value in metadata.items():
        yield f", {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
    yield "}\n"
