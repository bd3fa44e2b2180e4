"""Isolation between organisations, enforced in one place: the database session.

A session whose ``info["organisation_id"]`` holds an organisation id (balie.db.session_scope
sets it, by default from the request's host) is scoped to that organisation:

- every ORM SELECT, UPDATE and DELETE gets a criterion per table that belongs to an
  organisation (``with_loader_criteria``): rows of another organisation are not there;
- every flush refuses a new, changed or deleted row of another organisation
  (``CrossOrganisationWrite``), child rows included (checked through their parent).

A session with ``None`` (the worker's jobs, the commands, the migrations, the host lookup,
platform statistics) is deliberately unscoped; see the README, "Municipalities on one platform".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlmodel import Session

ORGANISATION_KEY = "organisation_id"


class CrossOrganisationWrite(PermissionError):
    """A scoped session was asked to write a row of another organisation."""


def scope_of(session: Any) -> int | None:
    """The organisation a session is scoped to (None: unscoped)."""
    return session.info.get(ORGANISATION_KEY)


def scope_session(session: Any, organisation_id: int | None) -> None:
    """Scope ``session`` (from now on) to ``organisation_id``; None removes the scope."""
    session.info[ORGANISATION_KEY] = organisation_id


def _tables_with_organisation() -> list[Any]:
    """Every table class with an ``organisation_id`` column: a new one is scoped by itself."""
    from sqlmodel import SQLModel

    return sorted(
        (
            mapper.class_
            for mapper in SQLModel._sa_registry.mappers
            if "organisation_id" in mapper.columns
        ),
        key=lambda model: model.__name__,
    )


@lru_cache(maxsize=256)
def _criteria(organisation_id: int) -> tuple[Any, ...]:
    """One loader criterion per table that belongs to an organisation, directly or through
    its parent."""
    from balie import models as m

    services = select(m.Service.id).where(m.Service.organisation_id == organisation_id)
    staff = select(m.StaffMember.id).where(m.StaffMember.organisation_id == organisation_id)
    appointments = select(m.Appointment.id).where(m.Appointment.organisation_id == organisation_id)
    own = _tables_with_organisation()
    rules: list[Any] = [
        with_loader_criteria(m.Organisation, m.Organisation.id == organisation_id),
        *(with_loader_criteria(model, model.organisation_id == organisation_id) for model in own),
        with_loader_criteria(m.Topic, m.Topic.service_id.in_(services)),
        with_loader_criteria(m.StaffService, m.StaffService.service_id.in_(services)),
        with_loader_criteria(m.OpeningHours, m.OpeningHours.service_id.in_(services)),
        with_loader_criteria(m.StaffSession, m.StaffSession.staff_id.in_(staff)),
        with_loader_criteria(m.Document, m.Document.appointment_id.in_(appointments)),
        # Jobs without an appointment (retention, clean-ups) belong to the platform.
        with_loader_criteria(
            m.Job, or_(m.Job.appointment_id.is_(None), m.Job.appointment_id.in_(appointments))
        ),
    ]
    return tuple(rules)


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    """Add the organisation's criteria to every ORM statement of a scoped session."""
    organisation_id = scope_of(state.session)
    if organisation_id is None or state.is_column_load or state.is_relationship_load:
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*_criteria(organisation_id))


def _parent_column(row: Any) -> tuple[Any, Any] | None:
    """(parent model, parent id) of a child row that has no organisation of its own."""
    from balie import models as m

    if isinstance(row, m.Topic | m.StaffService | m.OpeningHours):
        return m.Service, row.service_id
    if isinstance(row, m.StaffSession):
        return m.StaffMember, row.staff_id
    if isinstance(row, m.Document):
        return m.Appointment, row.appointment_id
    if isinstance(row, m.Job) and row.appointment_id is not None:
        return m.Appointment, row.appointment_id
    return None


def _belongs(session: Any, row: Any, organisation_id: int) -> bool:
    """Whether ``row`` belongs to ``organisation_id`` (or to no organisation at all)."""
    from balie import models as m

    if isinstance(row, m.Organisation):
        return row.id == organisation_id
    if hasattr(type(row), "organisation_id"):
        return row.organisation_id == organisation_id
    parent = _parent_column(row)
    if parent is None:
        return True
    model, parent_id = parent
    if parent_id is None:
        return True  # the foreign key refuses it
    with session.no_autoflush:
        # The scoped query only sees the organisation's own parents (or ones pending here).
        found = session.get(model, parent_id)
    return found is not None and _belongs(session, found, organisation_id)


@event.listens_for(Session, "before_flush")
def _refuse_other_organisations(session: Any, _context: Any, _instances: Any) -> None:
    """Refuse to write, change or delete another organisation's rows in a scoped session."""
    organisation_id = scope_of(session)
    if organisation_id is None:
        return
    for row in (*session.new, *session.dirty, *session.deleted):
        if not _belongs(session, row, organisation_id):
            raise CrossOrganisationWrite(
                f"{type(row).__name__} of another organisation in a session of "
                f"organisation {organisation_id}"
            )
