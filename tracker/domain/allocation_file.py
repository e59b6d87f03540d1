"""The columns of an allocations file: what the allocations export writes and the import reads,
defined once, so that a file exported can be imported back as it is.

The import reads each column by its key (`amount`) or by the heading the export gives it
(`Amount awarded (£)`); a financial year's share by its label (`2020-21`) or the export's
heading (`2020-21 (£)`). The export's other columns describe the allocation (its stream's name,
its status) and are there for reading: the import names them and passes over them."""

# key -> the heading the export writes
IMPORTED = {
    "identifier": "360Giving identifier",
    "stream_code": "Stream code",
    "title": "Title",
    "organisation_org_id": "Organisation org-id",
    "amount": "Amount awarded (£)",
    "award_date": "Award date",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "conditions": "Conditions",
}
FOR_INFORMATION = (
    "Stream",
    "Funder",
    "Funder org-id",
    "Organisation",
    "Region",
    "Organisation type",
    "Local authority code",
    "Status",
    "Illustrative",
    "Offer version",
    "Offer status",
    "Offer accepted on (UTC)",
    "Offer terms SHA-256",
    "Final return",
    "Eligible spend (£)",
    "To recover (£)",
    "Recovered (£)",
    "Written off (£)",
)
# "Profiled for 2021-22 (£)": the chosen year's share in an export filtered by year.
PROFILED_FOR = "Profiled for "
MONEY_SUFFIX = " (£)"


def heading(key: str) -> str:
    """The export's heading for an imported column."""
    return IMPORTED[key]


def year_heading(label: str) -> str:
    """The export's heading for a financial year's share: "2020-21 (£)"."""
    return f"{label}{MONEY_SUFFIX}"


def key_of(name: str) -> str | None:
    """The key an imported column's heading or key stands for, if it is one."""
    name = name.strip()
    for key, export_heading in IMPORTED.items():
        if name.lower() == export_heading.lower():
            return key
    key = "_".join(name.lower().split())
    return key if key in IMPORTED else None


def is_for_information(name: str) -> bool:
    """Whether a heading is one of the export's descriptive columns the import passes over."""
    name = name.strip()
    return name in FOR_INFORMATION or name.startswith(PROFILED_FOR)


def year_label_of(name: str) -> str:
    """A year column's label without the export's "(£)"."""
    name = name.strip()
    return name[: -len(MONEY_SUFFIX)].strip() if name.endswith(MONEY_SUFFIX) else name
