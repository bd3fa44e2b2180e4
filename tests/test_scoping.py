"""The session-level isolation: a session scoped to city A neither sees nor writes city B."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, update
from sqlmodel import Session, select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AuditEntry,
    Job,
    OpeningHours,
    Organisation,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.scoping import CrossOrganisationWrite, scope_of
from balie.services import tenancy


def _city(session: Session, slug: str) -> dict[str, int]:
    """An organisation with one service, topic, staff member and appointment; their ids."""
    organisation = Organisation(slug=slug, name=slug.title())
    session.add(organisation)
    session.flush()
    service = Service(
        organisation_id=organisation.id,
        slug="dienst",
        name={"nl": slug},
        description={},
        live_from=date(2026, 1, 1),
    )
    staff = StaffMember(organisation_id=organisation.id, display_name=slug, email="a@x.invalid")
    session.add_all([service, staff])
    session.flush()
    topic = Topic(
        service_id=service.id, slug="vraag", name={"nl": "Vraag"}, channel_reason={}, preparation={}
    )
    session.add(topic)
    session.add(StaffService(staff_id=staff.id, service_id=service.id))
    session.flush()
    start = utcnow() + timedelta(days=3)
    appointment = Appointment(
        reference=f"REF-{slug}"[:16],
        organisation_id=organisation.id,
        service_id=service.id,
        topic_id=topic.id,
        staff_id=staff.id,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        busy_until=start + timedelta(minutes=30),
        manage_token_hash=f"hash-{slug}",
    )
    session.add(appointment)
    session.flush()
    session.add(Job(kind="mail", appointment_id=appointment.id, dedupe_key=f"mail-{slug}"))
    session.commit()
    return {
        "organisation": organisation.id,
        "service": service.id,
        "topic": topic.id,
        "staff": staff.id,
        "appointment": appointment.id,
    }


@pytest.fixture
def cities(session: Session) -> dict[str, dict[str, int]]:
    """Two cities, A and B."""
    return {"a": _city(session, "stad-a"), "b": _city(session, "stad-b")}


def test_a_scoped_session_sees_only_its_own_rows(
    engine: Engine, cities: dict[str, dict[str, int]]
) -> None:
    a, b = cities["a"], cities["b"]
    with session_scope(engine, organisation_id=a["organisation"]) as scoped:
        assert scoped.exec(select(Organisation.slug)).all() == ["stad-a"]
        assert scoped.exec(select(Appointment.id)).all() == [a["appointment"]]
        assert scoped.get(Appointment, b["appointment"]) is None
        assert scoped.get(StaffMember, b["staff"]) is None
        assert scoped.exec(select(Topic.id)).all() == [a["topic"]]
        assert scoped.exec(select(StaffService.staff_id)).all() == [a["staff"]]
        assert scoped.exec(select(Job.dedupe_key)).all() == ["mail-stad-a"]
        assert scoped.exec(select(func.count(Appointment.id))).one() == 1
        # Through a join, too: B's service is not there to join on.
        joined = select(Appointment.id).join(Service, Service.id == Appointment.service_id)
        assert scoped.exec(joined.where(Service.id == b["service"])).all() == []


def test_a_bulk_update_cannot_reach_another_organisation(
    engine: Engine, cities: dict[str, dict[str, int]]
) -> None:
    a, b = cities["a"], cities["b"]
    with session_scope(engine, organisation_id=a["organisation"]) as scoped:
        scoped.exec(update(Appointment).values(question="overschreven"))
        scoped.commit()
    with session_scope(engine, organisation_id=None) as unscoped:
        assert unscoped.get(Appointment, a["appointment"]).question == "overschreven"
        assert unscoped.get(Appointment, b["appointment"]).question is None


@pytest.mark.parametrize("kind", ["new", "changed", "child", "deleted"])
def test_writing_another_organisations_row_is_refused(
    engine: Engine, cities: dict[str, dict[str, int]], kind: str
) -> None:
    a, b = cities["a"], cities["b"]
    with session_scope(engine, organisation_id=None) as unscoped:
        theirs = unscoped.get(Service, b["service"])
    with session_scope(engine, organisation_id=a["organisation"]) as scoped:
        if kind == "new":
            scoped.add(AuditEntry(organisation_id=b["organisation"], action="x"))
        elif kind == "changed":
            theirs.active = False
            scoped.add(theirs)
        elif kind == "child":
            scoped.add(
                OpeningHours(
                    staff_id=a["staff"],
                    service_id=b["service"],
                    weekday=0,
                    start_time=utcnow().time(),
                    end_time=utcnow().time(),
                )
            )
        else:
            scoped.delete(scoped.merge(theirs, load=False))
        with pytest.raises(CrossOrganisationWrite):
            scoped.flush()


def test_own_rows_are_written_as_usual(engine: Engine, cities: dict[str, dict[str, int]]) -> None:
    a = cities["a"]
    with session_scope(engine, organisation_id=a["organisation"]) as scoped:
        scoped.add(AuditEntry(organisation_id=a["organisation"], action="x"))
        scoped.add(
            Topic(service_id=a["service"], slug="nog", name={}, channel_reason={}, preparation={})
        )
        scoped.commit()
        assert len(scoped.exec(select(Topic.id)).all()) == 2


def test_sessions_take_the_current_requests_organisation(
    engine: Engine, cities: dict[str, dict[str, int]]
) -> None:
    a = cities["a"]
    token = tenancy.current_organisation_id.set(a["organisation"])
    try:
        with session_scope(engine) as inherited:
            assert scope_of(inherited) == a["organisation"]
            assert inherited.exec(select(Organisation.slug)).all() == ["stad-a"]
    finally:
        tenancy.current_organisation_id.reset(token)
    with session_scope(engine) as outside:
        assert scope_of(outside) is None
        assert len(outside.exec(select(Organisation.id)).all()) == 2


def test_an_unknown_host_sees_nothing_and_writes_nothing(
    engine: Engine, cities: dict[str, dict[str, int]]
) -> None:
    with session_scope(engine, organisation_id=tenancy.NO_ORGANISATION) as scoped:
        assert scoped.exec(select(Appointment.id)).all() == []
        scoped.add(AuditEntry(organisation_id=cities["a"]["organisation"], action="x"))
        with pytest.raises(CrossOrganisationWrite):
            scoped.flush()
