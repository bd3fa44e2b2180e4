"""A citizen's data request: look up, export and erase by e-mail address, audited without it."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    Job,
    Organisation,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import booking
from balie.services.demo_data import DEMO_MANAGER, demo_email, load_demo_data
from balie.services.privacy import data_requests

EMAIL = "els.peeters@example.be"
NOW = utcnow().replace(microsecond=0)


def add(
    session: Session,
    reference: str,
    email: str,
    start_in: timedelta,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
    slug: str = "woonwijzer",
    staff_index: int = 0,
) -> Appointment:
    """An appointment of ``email`` that starts ``start_in`` from NOW."""
    service = session.exec(select(Service).where(Service.slug == slug)).one()
    staff_id = session.exec(
        select(StaffService.staff_id)
        .where(StaffService.service_id == service.id)
        .order_by(StaffService.staff_id)
    ).all()[staff_index]
    start = NOW + start_in
    end = start + timedelta(minutes=service.appointment_minutes)
    appointment = Appointment(
        reference=reference,
        organisation_id=service.organisation_id,
        service_id=service.id,
        topic_id=session.exec(select(Topic.id).where(Topic.service_id == service.id)).first(),
        staff_id=staff_id,
        start_at=start,
        end_at=end,
        busy_until=end + timedelta(minutes=service.buffer_minutes),
        status=status,
        citizen_name=f"Burger {reference}",
        citizen_email=email,
        citizen_phone="0470 12 34 56",
        question=f"Vraag {reference}",
        manage_token_hash=f"hash-{reference}",
        meeting_external_id=f"room-{reference}",
        join_url=f"https://meet.example/room-{reference}",
        meeting_state="ready",
    )
    session.add(appointment)
    session.commit()
    return appointment


@pytest.fixture
def admin(session: Session) -> StaffMember:
    """Demo data, the demo administrator, and four appointments (three of EMAIL)."""
    load_demo_data(session)
    add(session, "PAST-0001", "Els.Peeters@Example.be", -timedelta(days=3), "completed")
    add(session, "NEXT-0001", EMAIL, timedelta(days=2))
    add(session, "GONE-0001", EMAIL, timedelta(days=4), "cancelled", staff_index=1)
    add(session, "OTHR-0001", "iemand.anders@example.be", timedelta(days=5))
    return session.exec(
        select(StaffMember).where(StaffMember.email == demo_email(DEMO_MANAGER[0]))
    ).one()


def audit_entries(session: Session) -> list[AuditEntry]:
    """Every audit entry, oldest first."""
    session.expire_all()
    return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).all())


def assert_no_clear_address(session: Session) -> None:
    """No audit entry holds any citizen's address (or a part that gives it away)."""
    for entry in audit_entries(session):
        text = json.dumps(entry.detail).lower()
        assert "example.be" not in text and "peeters" not in text, entry.action


SHA = hashlib.sha256(EMAIL.encode()).hexdigest()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (" Els.Peeters@Example.BE ", (EMAIL, None)),
        ("anouk.aerts@burger.demo.invalid", ("anouk.aerts@burger.demo.invalid", None)),
        ("", ("", "dr_error_email_required")),
        ("   ", ("", "dr_error_email_required")),
        (None, ("", "dr_error_email_required")),
        (5, ("", "dr_error_email_required")),
        (["a@b.be"], ("", "dr_error_email_required")),
        ("geen-adres", ("geen-adres", "dr_error_email_invalid")),
        ("a@b", ("a@b", "dr_error_email_invalid")),
        ("a b@c.be", ("a b@c.be", "dr_error_email_invalid")),
        ("a\x00@c.be", ("a\x00@c.be", "dr_error_email_invalid")),
    ],
)
def test_clean_email(typed: object, expected: tuple) -> None:
    assert data_requests.clean_email(typed) == expected


def test_clean_email_refuses_overlong_addresses() -> None:
    cleaned, error = data_requests.clean_email("a" * 250 + "@example.be")
    assert error == "dr_error_email_invalid" and len(cleaned) == 254


def test_look_up_counts_past_and_upcoming(session: Session, admin: StaffMember) -> None:
    lookup = data_requests.look_up(session, admin, " ELS.peeters@example.be", NOW)
    assert lookup.past == 1
    assert [(h.reference, h.status) for h in lookup.upcoming] == [
        ("NEXT-0001", "booked"),
        ("GONE-0001", "cancelled"),
    ]
    assert [h.reference for h in lookup.to_cancel] == ["NEXT-0001"]
    assert lookup.upcoming[0].service_name["nl"] == "Woonwijzer"
    (entry,) = audit_entries(session)
    assert (entry.action, entry.staff_id) == ("data_request_search", admin.id)
    assert entry.detail == {"email_sha256": SHA, "past": 1, "upcoming": 2}
    assert_no_clear_address(session)


def test_export_holds_everything_and_is_audited(session: Session, admin: StaffMember) -> None:
    export = data_requests.export(session, admin, EMAIL, NOW)
    assert json.loads(json.dumps(export)) == export
    assert export["organisation"] == "Stad Gent" and export["email"] == EMAIL
    assert export["exported_at"] == NOW.isoformat()
    by_reference = {item["reference"]: item for item in export["appointments"]}
    assert set(by_reference) == {"PAST-0001", "NEXT-0001", "GONE-0001"}
    assert by_reference["NEXT-0001"]["name"] == "Burger NEXT-0001"
    assert by_reference["NEXT-0001"]["question"] == "Vraag NEXT-0001"
    assert by_reference["PAST-0001"]["email"] == "Els.Peeters@Example.be"
    (entry,) = audit_entries(session)
    assert entry.action == "data_request_export" and entry.staff_id == admin.id
    assert entry.detail["email_sha256"] == SHA and entry.detail["count"] == 3
    assert sorted(entry.detail["references"]) == ["GONE-0001", "NEXT-0001", "PAST-0001"]
    assert_no_clear_address(session)
    # Exporting changes nothing.
    session.expire_all()
    kept = session.exec(select(Appointment).where(Appointment.reference == "NEXT-0001")).one()
    assert kept.citizen_email == EMAIL and kept.status == AppointmentStatus.BOOKED
    assert (
        data_requests.export(session, admin, EMAIL, NOW)["appointments"] == export["appointments"]
    )


def test_erase_cancels_upcoming_first_then_erases(
    session: Session, admin: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str, bool]] = []
    real_cancel = booking.cancel

    def spy(session: Session, appointment: Appointment, reason: str = "", now=None, **options):
        # At the moment of cancelling, the personal data is still there.
        calls.append((appointment.reference, reason, appointment.citizen_email is not None))
        return real_cancel(session, appointment, reason, now, **options)

    monkeypatch.setattr(booking, "cancel", spy)
    result = data_requests.erase(session, admin, "Els.Peeters@example.be", NOW)
    assert calls == [("NEXT-0001", data_requests.ERASE_REASON, True)]
    assert result == data_requests.Erased(cancelled=["NEXT-0001"], erased=3)
    session.expire_all()
    rows = {row.reference: row for row in session.exec(select(Appointment)).all()}
    for reference in ("PAST-0001", "NEXT-0001", "GONE-0001"):
        row = rows[reference]
        assert (row.citizen_name, row.citizen_email, row.citizen_phone, row.question) == (
            None,
            None,
            None,
            None,
        )
        assert row.join_url  # what the meeting jobs and the figures need stays
    assert rows["NEXT-0001"].status == AppointmentStatus.CANCELLED
    assert rows["NEXT-0001"].calendar_sequence == 1
    assert rows["PAST-0001"].status == AppointmentStatus.COMPLETED
    assert rows["OTHR-0001"].citizen_email == "iemand.anders@example.be"
    assert rows["OTHR-0001"].status == AppointmentStatus.BOOKED
    # The meeting is cancelled by the background jobs, as for any cancellation.
    kinds = set(
        session.exec(select(Job.kind).where(Job.appointment_id == rows["NEXT-0001"].id)).all()
    )
    assert "meeting.cancel" in kinds
    actions = [(entry.action, entry.staff_id) for entry in audit_entries(session)]
    assert actions == [("erase_citizen", admin.id), ("data_request_erase", admin.id)]
    mine = audit_entries(session)[-1]
    assert mine.detail == {"email_sha256": SHA, "cancelled": ["NEXT-0001"], "erased": 3}
    assert_no_clear_address(session)
    # Nothing is left to find.
    assert data_requests.look_up(session, admin, EMAIL, NOW) == data_requests.Lookup(0, [])


def test_erase_is_one_transaction(
    session: Session, admin: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_audit = data_requests.audit

    def fail_at_the_end(session: Session, staff, action: str, *args, **kwargs):
        if action == "data_request_erase":
            raise RuntimeError("the database went away")
        return real_audit(session, staff, action, *args, **kwargs)

    monkeypatch.setattr(data_requests, "audit", fail_at_the_end)
    with pytest.raises(RuntimeError):
        data_requests.erase(session, admin, EMAIL, NOW)
    session.rollback()  # what the request's session does when a handler fails

    rows = {row.reference: row for row in session.exec(select(Appointment)).all()}
    assert rows["NEXT-0001"].status == AppointmentStatus.BOOKED
    assert rows["NEXT-0001"].citizen_email == EMAIL
    assert rows["PAST-0001"].citizen_email == "Els.Peeters@Example.be"
    assert rows["GONE-0001"].question == "Vraag GONE-0001"
    assert session.exec(select(Job)).all() == []
    assert audit_entries(session) == []


def test_erase_leaves_a_started_appointment_booked_but_erased(
    session: Session, admin: StaffMember
) -> None:
    add(session, "NOWW-0001", EMAIL, -timedelta(minutes=5), slug="gas-boetes")
    result = data_requests.erase(session, admin, EMAIL, NOW)
    assert result.cancelled == ["NEXT-0001"] and result.erased == 4
    session.expire_all()
    started = session.exec(select(Appointment).where(Appointment.reference == "NOWW-0001")).one()
    assert started.status == AppointmentStatus.BOOKED and started.citizen_email is None


def test_an_unknown_address_finds_and_erases_nothing(session: Session, admin: StaffMember) -> None:
    before = [
        (row.reference, row.status, row.citizen_email)
        for row in session.exec(select(Appointment).order_by(Appointment.id)).all()
    ]
    unknown = "niemand@example.be"
    assert data_requests.look_up(session, admin, unknown, NOW) == data_requests.Lookup(0, [])
    assert data_requests.export(session, admin, unknown, NOW)["appointments"] == []
    assert data_requests.erase(session, admin, unknown, NOW) == data_requests.Erased([], 0)
    session.expire_all()
    after = [
        (row.reference, row.status, row.citizen_email)
        for row in session.exec(select(Appointment).order_by(Appointment.id)).all()
    ]
    assert after == before
    erase_entry = audit_entries(session)[-1]
    assert erase_entry.detail == {
        "email_sha256": hashlib.sha256(unknown.encode()).hexdigest(),
        "cancelled": [],
        "erased": 0,
    }
    assert_no_clear_address(session)


@pytest.mark.parametrize("bad", ["", "geen-adres", "x" * 400])
def test_a_bad_address_is_refused_and_not_audited(
    session: Session, admin: StaffMember, bad: str
) -> None:
    for action in (data_requests.look_up, data_requests.export, data_requests.erase):
        with pytest.raises(ValueError):
            action(session, admin, bad, NOW)
    assert audit_entries(session) == []


def test_another_organisation_is_out_of_reach(session: Session, admin: StaffMember) -> None:
    other = Organisation(slug="elders", name="Elders")
    session.add(other)
    session.commit()
    stranger = StaffMember(
        organisation_id=other.id, display_name="Beheer Elders", email="b@elders.be", roles=["admin"]
    )
    session.add(stranger)
    session.commit()
    assert data_requests.look_up(session, stranger, EMAIL, NOW) == data_requests.Lookup(0, [])
    assert data_requests.erase(session, stranger, EMAIL, NOW).erased == 0
    session.expire_all()
    kept = session.exec(select(Appointment).where(Appointment.reference == "NEXT-0001")).one()
    assert kept.citizen_email == EMAIL and kept.status == AppointmentStatus.BOOKED
