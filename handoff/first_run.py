"""A new deployment has no staff account: the one line ``ippc run`` prints to say how to
create the first console administrator."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from core.db import session_scope
from handoff.models import Staff
from handoff.settings import database_url


def first_admin_hint(url: str | None = None) -> str | None:
    """The hint while no active admin exists; None once one does (or the table is unreadable,
    where the console itself will say what is wrong)."""
    try:
        with session_scope(database_url(url)) as session:
            admins = session.execute(
                select(func.count(Staff.id)).where(Staff.role == "admin", Staff.active.is_(True))
            ).scalar_one()
    except SQLAlchemyError:
        return None
    if admins:
        return None
    return (
        "no console admin yet: create the first one with "
        "`ippc staff add NAME --role admin --name 姓名` (it asks for the password), then log in"
    )
