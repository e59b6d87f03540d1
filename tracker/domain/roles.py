"""Who someone is in the service: the six roles, their names on screen, and the groups the
access rules use."""

import enum


class Role(enum.StrEnum):
    OFFICER = "officer"
    FINANCE = "finance"
    GRANTEE = "grantee"
    CERTIFIER = "certifier"
    VIEWER = "viewer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_grantee(self) -> bool:
        return self in GRANTEE_ROLES


ROLE_LABELS = {
    Role.OFFICER: "Programme officer",
    Role.FINANCE: "Finance officer",
    Role.GRANTEE: "Grantee user",
    Role.CERTIFIER: "Grantee certifier",
    Role.VIEWER: "Minister's office (read only)",
    Role.ADMIN: "Administrator",
}
GRANTEE_ROLES = frozenset({Role.GRANTEE, Role.CERTIFIER})
CIVIL_SERVANT_ROLES = frozenset({Role.OFFICER, Role.FINANCE})
# Everyone who works in government (the minister's office and administrators too) may, and in
# production must, use a second factor; grantees are not asked to.
TWO_FACTOR_ROLES = frozenset(Role) - GRANTEE_ROLES
