import re

from tracker.data import organisations as organisation_data
from tracker.data.store import DuplicateError, save
from tracker.domain.orgids import OrgIdError, check
from tracker.models import Organisation, OrganisationType
from tracker.services import audit
from tracker.services.errors import RuleBroken

FIELDS = ["name", "type", "org_id", "region", "local_authority_code", "is_illustrative"]
LA_CODE = re.compile(r"^[EWSN]\d{8}$")


def slugify(name: str) -> str:
    """A URL-safe slug of an organisation's name (at most 90 characters, never empty)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:90] or "organisation"


def _checked(org_id: str, local_authority_code: str, existing: Organisation | None) -> str:
    try:
        org_id = check(org_id)
    except OrgIdError as error:
        raise RuleBroken(str(error), "org_id") from error
    holder = organisation_data.organisation_by_org_id(org_id)
    if holder is not None and holder is not existing:
        raise RuleBroken(f"{holder.name} already has the identifier {org_id}", "org_id")
    if local_authority_code and not LA_CODE.match(local_authority_code):
        raise RuleBroken(
            "Enter the ONS local authority code as a letter and 8 digits, like E09000022",
            "local_authority_code",
        )
    return org_id


def _unique_slug(name: str, existing: Organisation | None) -> str:
    base = slugify(name)
    slug, n = base, 2
    while (holder := organisation_data.organisation_by_slug(slug)) and holder is not existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_organisation(
    actor: audit.Actor,
    *,
    name: str,
    type: OrganisationType,
    org_id: str,
    region: str = "",
    local_authority_code: str = "",
    is_illustrative: bool = False,
) -> Organisation:
    """An organisation's org-id has its scheme's shape and belongs to no other organisation."""
    org_id = _checked(org_id, local_authority_code.strip().upper(), None)
    organisation = Organisation(
        name=name.strip(),
        slug=_unique_slug(name, None),
        type=type,
        org_id=org_id,
        region=region,
        local_authority_code=local_authority_code.strip().upper(),
        is_illustrative=is_illustrative,
    )
    try:
        save(organisation)
    except DuplicateError as error:
        raise RuleBroken("Another organisation already has this identifier", "org_id") from error
    audit.record(
        actor, "organisation created", organisation, after=audit.snapshot(organisation, FIELDS)
    )
    return organisation


def update_organisation(
    actor: audit.Actor,
    organisation: Organisation,
    *,
    name: str,
    type: OrganisationType,
    org_id: str,
    region: str,
    local_authority_code: str,
) -> Organisation:
    """An officer changes an organisation's details; the org-id must stay unique and valid for
    its type. Audited with the values before and after."""
    org_id = _checked(org_id, local_authority_code.strip().upper(), organisation)
    before = audit.snapshot(organisation, FIELDS)
    organisation.name, organisation.type, organisation.org_id = name.strip(), type, org_id
    organisation.region = region
    organisation.local_authority_code = local_authority_code.strip().upper()
    try:
        save(organisation)
    except DuplicateError as error:
        raise RuleBroken("Another organisation already has this identifier", "org_id") from error
    old, new = audit.changes(before, audit.snapshot(organisation, FIELDS))
    if new:
        audit.record(actor, "organisation changed", organisation, before=old, after=new)
    return organisation
