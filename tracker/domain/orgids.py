"""Organisation identifiers (org-id.guide): each scheme's prefix and the shape of its ids."""

import re

SCHEMES: dict[str, tuple[str, re.Pattern, str]] = {
    "GB-LAE": ("Local authorities in England", re.compile(r"^[A-Z]{3,4}$"), "GB-LAE-LBH"),
    "GB-LAS": ("Local authorities in Scotland", re.compile(r"^[A-Z]{3,4}$"), "GB-LAS-EDH"),
    "GB-PLA": ("Principal local authorities in Wales", re.compile(r"^[A-Z]{3,4}$"), "GB-PLA-CRF"),
    "GB-LANI": (
        "Local authorities in Northern Ireland",
        re.compile(r"^[A-Z]{3,4}$"),
        "GB-LANI-BFS",
    ),
    "GB-CHC": (
        "Charity Commission for England and Wales",
        re.compile(r"^\d{6,7}$"),
        "GB-CHC-216250",
    ),
    "GB-SC": ("Scottish Charity Regulator", re.compile(r"^SC\d{6}$"), "GB-SC-SC037733"),
    "GB-NIC": ("Charity Commission for Northern Ireland", re.compile(r"^\d{6}$"), "GB-NIC-100012"),
    "GB-COH": ("Companies House", re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$"), "GB-COH-01234567"),
    "GB-EDU": ("Schools and trusts (DfE URN)", re.compile(r"^\d{6,7}$"), "GB-EDU-100001"),
    "GB-GOR": ("Government organisations", re.compile(r"^[A-Z]{1,3}\d{1,4}$"), "GB-GOR-D6"),
    "GB-NHS": ("NHS organisations", re.compile(r"^[A-Z0-9]{3,6}$"), "GB-NHS-RJ1"),
    "GB-MPR": ("Mutuals public register", re.compile(r"^[0-9A-Z]{4,10}$"), "GB-MPR-12345R"),
}


class OrgIdError(ValueError):
    pass


def normalise(org_id: str) -> str:
    return (org_id or "").strip().upper()


def check(org_id: str) -> str:
    """The org-id in its standard form, or OrgIdError with a message for the user."""
    value = normalise(org_id)
    if not value:
        raise OrgIdError("Enter the organisation identifier")
    for prefix in sorted(SCHEMES, key=len, reverse=True):
        if value.startswith(prefix + "-"):
            name, shape, example = SCHEMES[prefix]
            # isascii: the patterns' \d would also let in digits of other scripts.
            if not value.isascii() or not shape.match(value[len(prefix) + 1 :]):
                raise OrgIdError(f"Enter a {name} identifier in the right shape, like {example}")
            return value
    raise OrgIdError(
        "Enter an identifier that starts with a known scheme, like GB-LAE-LBH or GB-CHC-216250"
    )
