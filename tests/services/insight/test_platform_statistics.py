"""Figures across organisations: counts per city, service type and local month, nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from sqlmodel import Session

from balie.models import Appointment, Organisation, Service, StaffMember, Topic
from balie.services.insight import platform_statistics as figures

_numbers = count(1)


def city(session: Session, slug: str, services: list[str]) -> tuple[Organisation, dict]:
    """An organisation with services (one topic each) and a counsellor."""
    organisation = Organisation(slug=slug, name=f"Stad {slug.title()}")
    session.add(organisation)
    session.flush()
    staff = StaffMember(
        organisation_id=organisation.id, display_name="C", email=f"c@{slug}.be", roles=["staff"]
    )
    session.add(staff)
    made = {}
    for name in services:
        service = Service(
            organisation_id=organisation.id,
            slug=name,
            name={"nl": name},
            description={},
            live_from=date(2026, 1, 1),
        )
        session.add(service)
        session.flush()
        topic = Topic(service_id=service.id, slug="vraag", name={"nl": "Vraag"})
        session.add(topic)
        session.flush()
        made[name] = (service, topic, staff)
    session.commit()
    return organisation, made


def call(
    session: Session, where: tuple, start: datetime, status: str = "completed", **extra
) -> None:
    """One appointment of 30 minutes."""
    service, topic, staff = where
    number = next(_numbers)
    session.add(
        Appointment(
            reference=f"REF{number:05d}",
            organisation_id=service.organisation_id,
            service_id=service.id,
            topic_id=topic.id,
            staff_id=staff.id,
            start_at=start,
            end_at=start + timedelta(minutes=30),
            busy_until=start + timedelta(minutes=30),
            status=status,
            manage_token_hash=f"hash-{number}",
            citizen_name="Geheim Persoon",
            citizen_email="geheim@example.be",
            **extra,
        )
    )
    session.commit()


@pytest.fixture
def two_cities(session: Session) -> StaffMember:
    """Ghent and Aalst with calls in March and April 2026; the platform operator."""
    gent, g = city(session, "gent", ["energiecentrale", "woonwijzer"])
    _aalst, a = city(session, "aalst", ["energiecentrale"])
    # 31 March 23:30 in Brussels is still March; 22:30 UTC that night is 1 April 00:30 there.
    call(session, g["energiecentrale"], datetime(2026, 3, 31, 21, 30, tzinfo=UTC))
    call(session, g["energiecentrale"], datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    call(session, g["woonwijzer"], datetime(2026, 3, 10, 9, tzinfo=UTC), "booked")
    call(session, g["woonwijzer"], datetime(2026, 3, 11, 9, tzinfo=UTC), "cancelled")
    call(session, g["woonwijzer"], datetime(2026, 3, 12, 9, tzinfo=UTC), is_demo=True)
    call(session, a["energiecentrale"], datetime(2026, 4, 2, 9, tzinfo=UTC))
    call(session, a["energiecentrale"], datetime(2026, 4, 3, 9, tzinfo=UTC), "no_show")
    call(session, a["energiecentrale"], datetime(2026, 5, 3, 9, tzinfo=UTC))  # after the period
    operator = StaffMember(
        organisation_id=gent.id, display_name="Ops", email="ops@platform.be", roles=["platform"]
    )
    session.add(operator)
    session.commit()
    return operator


def test_counts_per_city_service_type_and_local_month(
    session: Session, two_cities: StaffMember
) -> None:
    result = figures.platform_figures(session, two_cities, date(2026, 3, 1), date(2026, 4, 30))
    assert result.months == ["2026-03", "2026-04"]
    assert [(c.organisation, c.service, c.month, c.held, c.booked) for c in result.cells] == [
        ("aalst", "energiecentrale", "2026-04", 1, 2),
        ("gent", "energiecentrale", "2026-03", 1, 1),
        ("gent", "energiecentrale", "2026-04", 1, 1),
        ("gent", "woonwijzer", "2026-03", 0, 1),
    ]
    assert [(t.key, t.label, t.held, t.booked) for t in result.organisations] == [
        ("gent", "Stad Gent", 2, 3),
        ("aalst", "Stad Aalst", 1, 2),
    ]
    assert [(t.key, t.held) for t in result.services] == [("energiecentrale", 3), ("woonwijzer", 0)]
    assert [(t.key, t.held, t.booked) for t in result.per_month] == [
        ("2026-03", 1, 2),
        ("2026-04", 2, 3),
    ]
    assert "Geheim" not in repr(result) and "geheim@" not in repr(result)


def test_a_city_without_calls_is_listed_with_zero(
    session: Session, two_cities: StaffMember
) -> None:
    city(session, "lede", ["energiecentrale"])
    result = figures.platform_figures(session, two_cities, date(2026, 3, 1), date(2026, 3, 31))
    assert ("lede", 0, 0) in [(t.key, t.held, t.booked) for t in result.organisations]


@pytest.mark.parametrize("roles", [["admin"], ["manager"], ["staff", "admin", "manager"]])
def test_only_the_platform_role_sees_them(
    session: Session, two_cities: StaffMember, roles: list[str]
) -> None:
    two_cities.roles = roles
    with pytest.raises(PermissionError):
        figures.platform_figures(session, two_cities, date(2026, 3, 1), date(2026, 4, 30))


def test_months_run_across_the_year_end() -> None:
    assert figures.month_starts(date(2025, 11, 15), date(2026, 1, 2)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
    ]


def test_the_last_twelve_months_start_eleven_months_back() -> None:
    assert figures.first_of_last_months(date(2026, 12, 4), 12) == date(2026, 1, 1)
    assert figures.first_of_last_months(date(2026, 3, 31), 12) == date(2025, 4, 1)
