"""What each download holds, column by column, and what the minister's office never sees.

The rule: people's names (and email addresses, which no export carries for anyone) are personal
data, and a return's narrative, risks and explanations are the grantee's own words about
vulnerable children. Programme and finance officers get them; the read-only viewer role gets
neither, in every format. The queries do not even read those columns for the viewer.

Money leaves here as Decimal pounds to the penny (never float), dates as dates: the CSV and Excel
writers turn them into text and cells.
"""

from collections.abc import Callable
from datetime import date

from tracker.data import exports as export_data
from tracker.data.exports import ExportFilters
from tracker.data.returns import OPEN_STATUSES
from tracker.domain.allocation_file import PROFILED_FOR, heading, year_heading
from tracker.domain.periods import FinancialYear
from tracker.domain.roles import Role
from tracker.domain.statuses import SpendCategory
from tracker.web.downloads import Column, Kind, Table, field, pounds

PERSONAL_DATA_ROLES = frozenset({Role.OFFICER, Role.FINANCE})
NOT_STATED = "Not stated"


def sees_personal_data(role: Role) -> bool:
    return role in PERSONAL_DATA_ROLES


def funder(row: dict) -> str:
    return row.get("funder_name") or NOT_STATED


def _where_and_who() -> list[Column]:
    return [
        Column(heading("identifier"), field("identifier"), width=28),
        Column(heading("stream_code"), field("stream_code"), width=14),
        Column("Stream", field("stream_name"), width=30),
        Column("Funder", funder, width=26),
    ]


def _grantee() -> list[Column]:
    return [
        Column("Organisation", field("organisation_name"), width=34),
        Column(heading("organisation_org_id"), field("organisation_org_id")),
        Column("Region", field("region")),
    ]


def allocations_table(filters: ExportFilters, *, personal: bool, today: date) -> Table:
    """Every allocation, whatever its status, with its share of each financial year: the
    import reads this file back as it is (tracker/domain/allocation_file.py names the columns
    both use). No allocation column is personal."""
    del personal, today  # the same for everyone
    columns = [
        *_where_and_who(),
        Column("Funder org-id", field("funder_org_id")),
        Column(heading("title"), field("title"), width=40),
        *_grantee(),
        Column("Organisation type", field("organisation_type")),
        Column("Local authority code", field("local_authority_code")),
        Column("Status", field("status"), width=12),
        Column(heading("amount"), pounds("amount_pence"), Kind.MONEY),
    ]
    if filters.year is not None:
        columns.append(
            Column(f"{PROFILED_FOR}{filters.year.label} (£)", pounds("year_pence"), Kind.MONEY)
        )
    years = export_data.profile_years(filters)
    columns += [
        Column(heading("award_date"), field("awarded_on"), Kind.DATE, 12),
        Column(heading("planned_start"), field("planned_start"), Kind.DATE, 12),
        Column(heading("planned_end"), field("planned_end"), Kind.DATE, 12),
        *[
            Column(year_heading(FinancialYear(y).label), pounds(f"profile_{y}"), Kind.MONEY, 12)
            for y in years
        ],
        Column("Illustrative", field("is_illustrative"), Kind.FLAG, 12),
        Column("Offer version", field("offer_version"), Kind.NUMBER, 10),
        Column("Offer status", field("offer_status"), width=12),
        Column("Offer accepted on (UTC)", field("offer_accepted_at"), Kind.DATETIME, 20),
        Column("Offer terms SHA-256", field("offer_sha256"), width=66),
        Column("Final return", field("final_return_status"), width=14),
        Column("Eligible spend (£)", pounds("eligible_spend_pence"), Kind.MONEY),
        Column("To recover (£)", pounds("recovery_pence"), Kind.MONEY),
        Column("Recovered (£)", pounds("recovered_pence"), Kind.MONEY),
        Column("Written off (£)", pounds("written_off_pence"), Kind.MONEY),
    ]
    rows = export_data.allocation_rows(filters, years)
    return Table("allocations", "Allocations", columns, rows)


def _outputs(row: dict) -> str:
    return "; ".join(f"{name}: {value}" for name, value in row.get("outputs", []))


def _overdue(today: date) -> Callable[[dict], bool]:
    return lambda row: row["due_on"] < today and row["status"] in OPEN_STATUSES


def returns_table(filters: ExportFilters, *, personal: bool, today: date) -> Table:
    """Every return: its period, due date, status, RAG, spend by category and outputs. Officers
    also get the narrative, risks, explanations and who declared it."""
    columns = [
        *_where_and_who(),
        *_grantee(),
        Column("Project", field("project_title"), width=40),
        Column("Period start", field("period_start"), Kind.DATE, 12),
        Column("Period end", field("period_end"), Kind.DATE, 12),
        Column("Due date", field("due_on"), Kind.DATE, 12),
        Column("Revision", field("revision"), Kind.NUMBER, 10),
        Column("Status", field("status"), width=16),
        Column("Overdue", _overdue(today), Kind.FLAG, 10),
        Column("Self-assessed RAG", field("self_rag"), width=12),
        Column("Reviewer RAG", field("reviewer_rag"), width=12),
        Column("Submitted at (UTC)", field("submitted_at"), Kind.DATETIME),
        Column("Reviewed at (UTC)", field("reviewed_at"), Kind.DATETIME),
        *(
            Column(
                f"Spend on {category.value} (£)",
                pounds(f"spend_{category.value}_pence"),
                Kind.MONEY,
            )
            for category in SpendCategory
        ),
        Column("Total spend (£)", pounds("spend_total_pence"), Kind.MONEY),
        Column("Forecast for later periods (£)", pounds("forecast_pence"), Kind.MONEY),
        Column("Outputs", _outputs, width=50),
        Column("Illustrative", field("is_illustrative"), Kind.FLAG, 12),
    ]
    if personal:
        columns += [
            Column("Narrative", field("narrative"), width=60),
            Column("Risks", field("risks"), width=60),
            Column("Explanation of spend", field("overspend_explanation"), width=40),
            Column("Response to changes requested", field("grantee_response"), width=40),
            Column("Declared by", field("declared_by_name"), width=24),
        ]
    return Table("returns", "Returns", columns, export_data.return_rows(filters, personal=personal))


def _paid_against(row: dict) -> str:
    if row.get("return_period_start") is not None:
        return (
            f"Return for {row['return_period_start'].isoformat()} "
            f"to {row['return_period_end'].isoformat()}"
        )
    if row.get("milestone_title"):
        return f"Milestone: {row['milestone_title']}"
    return ""


def payments_table(filters: ExportFilters, *, personal: bool, today: date) -> Table:
    """Every payment: what it pays for, its amount, status and dates. Officers also get who
    requested and who approved it."""
    del today
    columns = [
        Column("Payment number", field("payment_id"), Kind.NUMBER, 10),
        *_where_and_who(),
        *_grantee(),
        Column("Paid against", _paid_against, width=40),
        Column("Amount (£)", pounds("amount_pence"), Kind.MONEY),
        Column("Status", field("status"), width=12),
        Column("Requested at (UTC)", field("requested_at"), Kind.DATETIME),
        Column("Approved at (UTC)", field("approved_at"), Kind.DATETIME),
        Column("Paid on", field("paid_on"), Kind.DATE, 12),
        Column("Payment reference", field("payment_reference")),
        Column("Illustrative", field("is_illustrative"), Kind.FLAG, 12),
    ]
    if personal:
        columns += [
            Column("Requested by", field("requested_by"), width=24),
            Column("Approved by", field("approved_by"), width=24),
        ]
    return Table(
        "payments", "Payments", columns, export_data.payment_rows(filters, personal=personal)
    )


TABLES: dict[str, Callable[..., Table]] = {
    "allocations": allocations_table,
    "returns": returns_table,
    "payments": payments_table,
}
