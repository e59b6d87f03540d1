from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from tracker.data.pagination import Page, paginate
from tracker.extensions import db
from tracker.models import SignInAttempt, User


def user_for_session(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def users_page(page: int) -> Page:
    return paginate(select(User).options(joinedload(User.organisation)).order_by(User.email), page)


def count_failed_sign_ins(
    since: datetime, *, email: str | None = None, remote_address: str | None = None
) -> int:
    query = select(func.count(SignInAttempt.id)).where(
        SignInAttempt.attempted_at >= since, SignInAttempt.succeeded.is_(False)
    )
    if email is not None:
        query = query.where(SignInAttempt.email == email)
    if remote_address is not None:
        query = query.where(SignInAttempt.remote_address == remote_address)
    return db.session.scalar(query) or 0


def active_users_with_role(role) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == role, User.active.is_(True)).order_by(User.email)
        )
    )


def active_users_of_organisation(organisation_id: int, roles) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.role.in_(list(roles)),
                User.active.is_(True),
            )
            .order_by(User.email)
        )
    )


def claim_totp_step(user_id: int, step: int) -> bool:
    """Records `step` as the user's last accepted second-factor step, if it is later than the
    one recorded, in one conditional UPDATE: of two requests racing with the same code, only
    one can claim it (the other's UPDATE then finds no row to change)."""
    result = db.session.execute(
        update(User)
        .where(
            User.id == user_id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1
