"""Payees: the bank account each grantee organisation is paid into.

Rules:
- A sort code is six digits and an account number eight (spaces and dashes typed between them
  are ignored); anything else is refused beside the field.
- A programme officer proposes an account (a new one, or a change). A finance officer who did
  not propose it confirms it by typing the sort code and account number again; they must match.
  Nobody confirms their own proposal.
- Once confirmed, the account replaces the one before, and payments to the organisation are
  held for PAYEE_CHANGE_HOLD_DAYS days (the commonest grant fraud is a changed account paid the
  same day); while a change waits for confirmation, payments are held too.
- The screen and the audit trail show only the masked account (the last two digits of the sort
  code, the last four of the account number); every proposal and confirmation is audited.
"""

import re
from datetime import datetime, timedelta

from tracker.data import payees as payee_data
from tracker.data.store import save
from tracker.models import Organisation, PayeeAccount, PayeeStatus, Role
from tracker.services import audit
from tracker.services.errors import NotAllowed, RuleBroken

SEPARATORS = re.compile(r"[\s-]")


def clean_sort_code(text: str | None) -> str:
    """Six digits, with any spaces or dashes typed between them taken out; else refused."""
    digits = SEPARATORS.sub("", text or "")
    if not digits:
        raise RuleBroken("Enter the sort code", "sort_code")
    if not (digits.isascii() and digits.isdigit() and len(digits) == 6):
        raise RuleBroken("Enter a valid sort code like 30-94-57", "sort_code")
    return digits


def clean_account_number(text: str | None) -> str:
    """Eight digits, with any spaces or dashes typed between them taken out; else refused."""
    digits = SEPARATORS.sub("", text or "")
    if not digits:
        raise RuleBroken("Enter the account number", "account_number")
    if not (digits.isascii() and digits.isdigit() and len(digits) == 8):
        raise RuleBroken("Enter a valid account number like 00733445", "account_number")
    return digits


def _masked(account: PayeeAccount) -> dict:
    return {
        "account_name": account.account_name,
        "sort_code": account.masked_sort_code,
        "account_number": account.masked_account_number,
        "status": account.status.value,
        "holds_payments_until": (
            account.holds_payments_until.isoformat() if account.holds_payments_until else None
        ),
    }


def propose(
    actor: audit.Actor,
    organisation: Organisation,
    *,
    account_name: str,
    sort_code: str,
    account_number: str,
    now: datetime,
) -> PayeeAccount:
    """A programme officer proposes the organisation's account; a proposal still waiting is
    cancelled by the newer one. Nothing is paid into it until someone else confirms it."""
    if actor.user is None or actor.user.role != Role.OFFICER:
        raise NotAllowed("Only a programme officer can propose a bank account")
    name = (account_name or "").strip()
    if not name:
        raise RuleBroken("Enter the name on the account", "account_name")
    if len(name) > 200:
        raise RuleBroken("The name on the account must be 200 characters or fewer", "account_name")
    sort_code, account_number = clean_sort_code(sort_code), clean_account_number(account_number)
    earlier = payee_data.proposed_change(organisation.id)
    if earlier is not None:
        before = _masked(earlier)
        earlier.status = PayeeStatus.CANCELLED
        save(earlier)
        audit.record(
            actor, "payee change cancelled", earlier, before=before, after=_masked(earlier)
        )
    account = PayeeAccount(
        organisation_id=organisation.id,
        account_name=name,
        sort_code=sort_code,
        account_number=account_number,
        status=PayeeStatus.PROPOSED,
        proposed_by_id=actor.user_id,
        proposed_at=now,
    )
    save(account)
    audit.record(actor, "payee change proposed", account, after=_masked(account))
    return account


def confirm(
    actor: audit.Actor,
    account: PayeeAccount,
    *,
    sort_code: str,
    account_number: str,
    now: datetime,
    hold_days: int,
) -> PayeeAccount:
    """A finance officer who did not propose it confirms the account by typing the sort code and
    account number again; it replaces the organisation's account and holds payments to the
    organisation for hold_days."""
    if actor.user is None or actor.user.role != Role.FINANCE:
        raise NotAllowed("Only a finance officer can confirm a bank account")
    if account.status != PayeeStatus.PROPOSED:
        raise RuleBroken("This change is no longer waiting for confirmation")
    if account.proposed_by_id == actor.user_id:
        raise NotAllowed("You proposed this change, so someone else must confirm it")
    if clean_sort_code(sort_code) != account.sort_code:
        raise RuleBroken("The sort code does not match the one proposed", "sort_code")
    if clean_account_number(account_number) != account.account_number:
        raise RuleBroken("The account number does not match the one proposed", "account_number")
    replaced = payee_data.current_account(account.organisation_id)
    if replaced is not None:
        before = _masked(replaced)
        replaced.status = PayeeStatus.REPLACED
        save(replaced)
        audit.record(actor, "payee replaced", replaced, before=before, after=_masked(replaced))
    before = _masked(account)
    account.status = PayeeStatus.CONFIRMED
    account.confirmed_by_id, account.confirmed_at = actor.user_id, now
    account.holds_payments_until = now + timedelta(days=hold_days)
    save(account)
    audit.record(actor, "payee change confirmed", account, before=before, after=_masked(account))
    return account


def payments_held(organisation_id: int, now: datetime) -> str | None:
    """Why payments to the organisation are held now, or None."""
    if payee_data.proposed_change(organisation_id) is not None:
        return (
            "A change to this organisation's bank account is waiting for a second person to "
            "confirm it: payments to it are held until then"
        )
    account = payee_data.current_account(organisation_id)
    if account is not None and account.holds_payments_until and account.holds_payments_until > now:
        return (
            "This organisation's bank account changed recently: payments to it are held until "
            f"{account.holds_payments_until:%-d %B %Y at %-I:%M%p} UTC"
        ).replace("AM", "am").replace("PM", "pm")
    return None
