"""Illustrative grant closure for the demo (with its history): four of the Trusted Relationship
Fund's demo grants, which ended on 31 March 2021, at each stage of closing, through the same
services as the pages: a final return waiting for the officer; closed with money to recover;
closed with part of it paid back; closed with a write-off waiting for a second finance officer.
The rest are overdue for closure, as the officers' home page says. Every figure is made up."""

from datetime import date, timedelta

from tracker.data import allocations as allocation_data
from tracker.data import closure as closure_data
from tracker.data import users as user_data
from tracker.models import User
from tracker.services import closure, recoveries
from tracker.services.audit import Actor

# org-id -> how far its grant has got
STAGES = {
    "GB-LAE-KEN": "final return submitted",
    "GB-LAE-NFK": "closed, money owed",
    "GB-LAE-LCE": "closed, part paid back",
    "GB-LAE-NGM": "closed, write-off asked for",
}
UNSPENT_SHARE = 20  # one twentieth of what was paid went unspent (5%)


def identifier_of(org_id: str) -> str:
    return f"360G-HHT-DEMO-TRF-{org_id.rsplit('-', 1)[1]}"


def stage(officer: User, finance: tuple[User, User], today: date) -> int:
    """Takes each of the grants in STAGES as far as it says (once: a grant with a final return
    is left as it is). Gives how many were moved on."""
    moved = 0
    for org_id, where in STAGES.items():
        grant = allocation_data.allocation_by_identifier(identifier_of(org_id))
        if grant is None or closure_data.final_return_of(grant.id) is not None:
            continue
        organisation = grant.organisation
        signatory = user_data.user_by_email(f"certifier@{organisation.slug}.demo.org.uk")
        paid = closure_data.paid_on(grant.id)
        final = closure.submit_final_return(
            Actor(signatory, "seed"),
            grant,
            delivered={t: 18 for t in closure_data.target_ids(grant.id)},
            eligible_spend_pence=paid - paid // UNSPENT_SHARE,
            lessons="Illustrative lessons made for the demo: trusted adults need time to build "
            "relationships, so recruit them before referrals start.",
            evidence="Illustrative: the statement of grant expenditure signed by the chief "
            "finance officer (made up for the demo).",
            today=today,
        )
        moved += 1
        if where == "final return submitted":
            continue
        recovery = closure.close(
            Actor(officer, "seed"),
            final,
            due_on=today + timedelta(days=60),
            reason="Paid but not spent on eligible costs (illustrative)",
            today=today,
        )
        if recovery is None:
            continue
        if where == "closed, part paid back":
            recoveries.record_receipt(
                Actor(finance[0], "seed"),
                recovery,
                amount_pence=recovery.amount_pence // 2,
                received_on=today - timedelta(days=7),
                reference="DEMO-REPAID-1",
            )
        elif where == "closed, write-off asked for":
            recoveries.request_write_off(
                Actor(finance[0], "seed"),
                recovery,
                "Illustrative: the amount is too small to be worth chasing further.",
            )
    return moved
