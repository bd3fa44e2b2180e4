"""Erasing and exporting citizens' personal data, with the statistics left exactly as they were.

The appointments are those of tests/services/insight/test_statistics.py (see its docstring):
#1-#6 lie in March/April 2026, #7-#12 from 24 October 2026 on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from balie.models import Appointment, AuditEntry, CitizenSignIn, Organisation, StaffMember
from balie.services import feedback
from balie.services.demo_data import DEMO_MANAGER, demo_email
from balie.services.insight import statistics as stats
from balie.services.privacy import retention
from tests.services.insight.test_statistics import NOW, TODAY, build

# #7 (Sunday 25 October 00:30 local) ends at 2026-10-24 22:50 UTC: 30 days before this.
SEVENTH_ENDS_PLUS_30_DAYS = datetime(2026, 11, 23, 22, 50, tzinfo=UTC)


@pytest.fixture
def gent(session: Session) -> Organisation:
    """The twelve appointments in the database; Stad Gent."""
    return build(session)


def personal(session: Session) -> dict[str, tuple]:
    """Per reference, the personal fields (read fresh from the database)."""
    session.expire_all()
    rows = session.exec(select(Appointment).order_by(Appointment.reference)).all()
    return {
        row.reference: tuple(getattr(row, name) for name in retention.PERSONAL_FIELDS)
        for row in rows
    }


def kept(session: Session) -> dict[str, tuple]:
    """Per reference, everything that erasing must keep."""
    session.expire_all()
    rows = session.exec(select(Appointment).order_by(Appointment.reference)).all()
    return {
        row.reference: (
            row.service_id,
            row.topic_id,
            row.staff_id,
            row.start_at,
            row.end_at,
            row.status,
            row.channel,
            row.outcome,
            row.created_at,
            row.feedback_score,
            row.feedback_at,
        )
        for row in rows
    }


def all_figures(session: Session, gent: Organisation) -> tuple:
    """Every statistics figure of the default period."""
    period = stats.default_period(session, gent.id, TODAY)
    return (
        stats.headline(session, gent.id, period),
        stats.held_per_week(session, gent.id, period),
        stats.held_per_month(session, gent.id, period),
        stats.channel_per_month(session, gent.id, period),
        stats.per_service(session, gent.id, period, NOW),
        stats.dashboard(session, gent.id, period, None, NOW),  # everything the page shows
    )


ERASED = (None,) * len(retention.PERSONAL_FIELDS)
SURVEY_SECRET = "retention-test-secret"


def reference(number: int) -> str:
    """Reference of appointment ``number``."""
    return f"TEST-{number:04d}"


def test_erase_due_keeps_every_statistic(session: Session, gent: Organisation) -> None:
    for number, score, comment in ((1, 4, "Goed uitgelegd"), (9, 2, "Te kort")):
        row = session.exec(select(Appointment).where(Appointment.reference == reference(number)))
        appointment = row.one()
        appointment.feedback_score, appointment.feedback_comment = score, comment
        appointment.feedback_at = NOW
        # A verified identity (citizen sign-in) on both, confirmed by the counsellor.
        appointment.identity_level, appointment.identity_method = "high", "itsme"
        appointment.identity_verified_at = appointment.identity_confirmed_at = NOW
        appointment.identity_name, appointment.identity_birth_date = "Jan Peeters", "1985-07-30"
        appointment.identity_number_hash = "ab" * 32
        appointment.identity_number = "85073003328"
        session.add(appointment)
    session.add(
        CitizenSignIn(
            cookie_hash="c" * 64,
            expires_at=NOW - timedelta(minutes=1),
            name="Jan Peeters",
            level="high",
        )
    )
    session.commit()
    figures, facts, details = all_figures(session, gent), kept(session), personal(session)
    assert figures[0].satisfaction_answers == 2  # feedback scores are among the figures kept
    # 30 days before NOW is 5 October 2026: #1-#6 ended before, #7-#12 after.
    assert retention.erase_due(session, NOW, 30) == 6
    assert all_figures(session, gent) == figures
    assert kept(session) == facts
    after = personal(session)
    assert len(after) == 12
    for number in range(1, 7):
        assert after[reference(number)] == ERASED
    for number in range(7, 13):
        assert after[reference(number)] == details[reference(number)]
        assert after[reference(number)][0] == f"Burger {number}"
    assert "Jan Peeters" in after[reference(9)] and "Jan Peeters" not in after[reference(1)]
    assert session.exec(select(CitizenSignIn)).all() == []  # expired sign-ins go too


def test_erase_due_is_idempotent(session: Session, gent: Organisation) -> None:
    assert retention.erase_due(session, NOW, 30) == 6
    details = personal(session)
    assert retention.erase_due(session, NOW, 30) == 0
    assert personal(session) == details


def test_erase_due_erases_only_what_ended_before_the_cutoff(
    session: Session, gent: Organisation
) -> None:
    assert retention.erase_due(session, SEVENTH_ENDS_PLUS_30_DAYS, 30) == 6
    assert personal(session)[reference(7)][0] == "Burger 7"  # ended exactly at the cutoff
    one_second_later = SEVENTH_ENDS_PLUS_30_DAYS.replace(second=1)
    assert retention.erase_due(session, one_second_later, 30) == 1
    assert personal(session)[reference(7)] == ERASED


def test_an_organisation_with_its_own_period_keeps_its_data_that_long(
    session: Session, gent: Organisation
) -> None:
    one_second_later = SEVENTH_ENDS_PLUS_30_DAYS.replace(second=1)
    # Ghent keeps 31 days: #7 ended only 30 days ago, so it stays; other cities keep 30.
    assert retention.erase_due(session, one_second_later, 30, own_days={gent.id: 31}) == 6
    assert personal(session)[reference(7)][0] == "Burger 7"
    assert retention.erase_due(session, one_second_later, 30, own_days={gent.id + 1: 31}) == 1
    assert personal(session)[reference(7)] == ERASED


def test_erase_due_covers_every_status(session: Session, gent: Organisation) -> None:
    far_future = datetime(2027, 12, 31, tzinfo=UTC)
    assert retention.erase_due(session, far_future, 30) == 12
    assert set(personal(session).values()) == {ERASED}
    statuses = {row.status for row in session.exec(select(Appointment)).all()}
    assert statuses == {"booked", "cancelled", "completed", "no_show"}


def manager(session: Session) -> StaffMember:
    """The demo manager."""
    email = demo_email(DEMO_MANAGER[0])
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


def give_feedback(session: Session, number: int, score: int, comment: str | None) -> None:
    """Answer the survey of appointment ``number`` (a completed call) with its own link."""
    token = feedback.survey_token_for(reference(number), SURVEY_SECRET)
    feedback.answer(
        session, reference(number), token, score, comment, NOW, secret_key=SURVEY_SECRET
    )


def test_export_then_erase_a_citizen(session: Session, gent: Organisation) -> None:
    give_feedback(session, 2, 5, "Heel vriendelijk geholpen")
    # #2 was booked as Els@Example.be, #9 as els@example.be: the same citizen.
    export = retention.export_citizen(session, gent.id, " ELS@example.be")
    assert json.loads(json.dumps(export)) == export
    assert export == {
        "email": "els@example.be",
        "appointments": [
            {
                "reference": "TEST-0002",
                "service": "woonwijzer",
                "topic": "sociale-huisvesting",
                "start": "2026-03-29T22:30:00+00:00",
                "status": "completed",
                "name": "Burger 2",
                "email": "Els@Example.be",
                "phone": "0470 00 00 02",
                "question": "Vraag 2",
                "feedback_score": 5,
                "feedback_comment": "Heel vriendelijk geholpen",
                "feedback_at": "2026-11-04T12:00:00+00:00",
            },
            {
                "reference": "TEST-0009",
                "service": "woonwijzer",
                "topic": "sociale-huisvesting",
                "start": "2026-10-31T23:30:00+00:00",
                "status": "completed",
                "name": "Burger 9",
                "email": "els@example.be",
                "phone": "0470 00 00 09",
                "question": "Vraag 9",
                "feedback_score": None,
                "feedback_comment": None,
                "feedback_at": None,
            },
        ],
    }
    figures, facts, before = all_figures(session, gent), kept(session), personal(session)
    staff = manager(session)
    assert retention.erase_citizen(session, gent.id, "ELS@example.be", staff.id) == 2
    after = personal(session)
    assert after[reference(2)] == ERASED and after[reference(9)] == ERASED
    assert {k: v for k, v in after.items() if k not in (reference(2), reference(9))} == {
        k: v for k, v in before.items() if k not in (reference(2), reference(9))
    }
    assert kept(session) == facts
    assert all_figures(session, gent) == figures
    assert retention.export_citizen(session, gent.id, "els@example.be")["appointments"] == []
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "erase_citizen")).one()
    assert (entry.staff_id, entry.organisation_id, entry.target_type) == (
        staff.id,
        gent.id,
        "appointment",
    )
    assert entry.detail == {"count": 2, "references": ["TEST-0002", "TEST-0009"]}
    assert "example.be" not in json.dumps(entry.detail).lower()


def test_erase_citizen_without_staff_is_still_audited(session: Session, gent: Organisation) -> None:
    assert retention.erase_citizen(session, gent.id, "burger3@example.be", None) == 1
    assert retention.erase_citizen(session, gent.id, "burger3@example.be", None) == 0
    entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.staff_id, e.detail["count"]) for e in entries] == [(None, 1), (None, 0)]


def test_erase_citizen_stays_inside_the_organisation(session: Session, gent: Organisation) -> None:
    other = Organisation(slug="elders", name="Elders")
    session.add(other)
    session.commit()
    assert retention.erase_citizen(session, other.id, "els@example.be", None) == 0
    assert retention.export_citizen(session, other.id, "els@example.be")["appointments"] == []
    assert personal(session)[reference(2)][0] == "Burger 2"


def test_the_feedback_comment_is_erased_and_the_score_kept(
    session: Session, gent: Organisation
) -> None:
    assert "feedback_comment" in retention.PERSONAL_FIELDS
    for number, score, comment in ((1, 4, "Vlot"), (5, 2, "Te kort"), (7, 5, "Top"), (9, 3, None)):
        give_feedback(session, number, score, comment)
    figures, facts = all_figures(session, gent), kept(session)
    assert [facts[reference(n)][-2:] for n in (1, 5, 7, 9)] == [
        (4, NOW),
        (2, NOW),
        (5, NOW),
        (3, NOW),
    ]
    assert retention.erase_due(session, NOW, 30) == 6
    assert all_figures(session, gent) == figures
    assert kept(session) == facts  # scores and their times stay
    session.expire_all()
    rows = {row.reference: row for row in session.exec(select(Appointment)).all()}
    assert rows[reference(1)].feedback_comment is None
    assert rows[reference(5)].feedback_comment is None
    assert rows[reference(7)].feedback_comment == "Top"  # ended after the cutoff: kept for now
    assert retention.is_erased(rows[reference(1)]) and not retention.is_erased(rows[reference(7)])
    # The survey of an erased call stays answered: its score cannot be changed any more.
    with pytest.raises(feedback.AlreadyAnswered):
        give_feedback(session, 1, 1, None)
    assert retention.erase_due(session, datetime(2027, 12, 31, tzinfo=UTC), 30) == 6
    assert all_figures(session, gent) == figures
    assert kept(session) == facts


def with_documents(session: Session, store: object, numbers: tuple[int, ...]) -> dict:
    """A stored PDF for each appointment ``number``; per number (appointment id, storage name)."""
    from balie.models import Document
    from balie.services.documents import vault
    from tests.samples import pdf_document

    made = {}
    for number in numbers:
        appointment = session.exec(
            select(Appointment).where(Appointment.reference == reference(number))
        ).one()
        name = vault.new_storage_name()
        vault.store(store.folder, store.key, name, pdf_document())
        session.add(
            Document(appointment_id=appointment.id, storage_name=name, filename="a.pdf", size=9)
        )
        made[number] = (appointment.id, name)
    session.commit()
    return made


def remaining_documents(session: Session, store: object, made: dict) -> set[int]:
    """The numbers whose document row and file are both still there."""
    from balie.models import Document
    from balie.services.documents import vault

    rows = {d.appointment_id for d in session.exec(select(Document)).all()}
    return {
        number
        for number, (appointment_id, name) in made.items()
        if appointment_id in rows and vault.stored_path(store.folder, name).exists()
    }


def test_documents_are_erased_with_the_personal_data_and_the_figures_stay(
    session: Session, gent: Organisation, tmp_path: Path
) -> None:
    from balie.services import documents

    store = documents.Vault(tmp_path / "docs", bytes(32), max_bytes=10**6, per_appointment=5)
    made = with_documents(session, store, (1, 9))
    figures = all_figures(session, gent)
    assert retention.erase_due(session, NOW, 30, store) == 6
    assert all_figures(session, gent) == figures
    assert remaining_documents(session, store, made) == {9}
    assert not list((tmp_path / "docs").rglob(f"{made[1][1]}*"))


def test_an_erasure_on_request_erases_the_citizens_documents(
    session: Session, gent: Organisation, tmp_path: Path
) -> None:
    from balie.services import documents

    store = documents.Vault(tmp_path / "docs", bytes(32), max_bytes=10**6, per_appointment=5)
    made = with_documents(session, store, (1, 3))
    assert retention.erase_citizen(session, gent.id, "burger3@example.be", None, store=store) == 1
    assert remaining_documents(session, store, made) == {1}
