from sqlalchemy import func, or_, select

from tracker.data.pagination import Page, paginate
from tracker.extensions import db
from tracker.models import Organisation


def organisations_page(search: str, page: int) -> Page:
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    term = search.strip()
    if term:
        like = f"%{term.lower().replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                func.lower(Organisation.name).like(like), func.lower(Organisation.org_id).like(like)
            )
        )
    return paginate(query, page)


def organisation_by_id(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def organisation_by_org_id(org_id: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.org_id == org_id))


def organisation_by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
