"""The survey after a call: its own token, one answer per appointment, refusals, the e-mail."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select

from balie.models import Appointment, AppointmentStatus, Job, StaffMember, StaffService, Topic
from balie.services import booking, feedback
from balie.services.demo_data import demo_email, load_demo_data
from balie.services.privacy import retention
from balie.services.staff import staff_day
from balie.settings import Settings

SECRET = "survey-test-secret"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
COUNSELLOR = "Lotte Claeys"
_SLOTS = itertools.count(1)  # each appointment an hour earlier: one counsellor, no overlap


@pytest.fixture
def settings() -> Settings:
    """Settings for the links in e-mails."""
    return Settings(
        _env_file=None,
        secret_key=SECRET,
        public_base_url="https://balie.example/",
        mail_from="Digitale Balie <noreply@balie.example>",
    )


def counsellor(session: Session) -> StaffMember:
    """The demo counsellor."""
    email = demo_email(COUNSELLOR)
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


def make_appointment(
    session: Session,
    status: AppointmentStatus = AppointmentStatus.COMPLETED,
    *,
    email: str | None = "jan@example.be",
    language: str = "nl",
    name: str = "Jan Peeters",
) -> Appointment:
    """An appointment of the demo counsellor that started one or more hours before NOW."""
    staff = counsellor(session)
    service_id = session.exec(
        select(StaffService.service_id).where(StaffService.staff_id == staff.id)
    ).first()
    start = NOW - timedelta(hours=next(_SLOTS))
    reference = booking.new_reference()
    appointment = Appointment(
        reference=reference,
        organisation_id=staff.organisation_id,
        service_id=service_id,
        topic_id=session.exec(select(Topic.id).where(Topic.service_id == service_id)).first(),
        staff_id=staff.id,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        busy_until=start + timedelta(minutes=40),
        status=status,
        citizen_name=name,
        citizen_email=email,
        language=language,
        question="Mag ik mijn huurprijs verhogen?",
        manage_token_hash=booking.token_hash(booking.manage_token_for(reference, SECRET)),
    )
    session.add(appointment)
    session.commit()
    return appointment


@pytest.fixture
def completed(session: Session) -> Appointment:
    """Demo data and one completed call with an e-mail address."""
    load_demo_data(session)
    return make_appointment(session)


def token(appointment: Appointment) -> str:
    """The survey token of ``appointment``."""
    return feedback.survey_token_for(appointment.reference, SECRET)


def answer(session: Session, appointment: Appointment, score: Any, comment: Any = None) -> None:
    """Answer the survey of ``appointment`` with its own link."""
    feedback.answer(
        session, appointment.reference, token(appointment), score, comment, NOW, secret_key=SECRET
    )


def stored(session: Session, appointment: Appointment) -> tuple:
    """Score, comment and time of the answer, fresh from the database."""
    session.expire_all()
    row = session.get(Appointment, appointment.id)
    return row.feedback_score, row.feedback_comment, row.feedback_at


NOTHING = (None, None, None)


# --- tokens and links ----------------------------------------------------------------------


def test_survey_and_manage_tokens_never_open_each_other(
    session: Session, completed: Appointment
) -> None:
    reference = completed.reference
    manage = booking.manage_token_for(reference, SECRET)
    survey = feedback.survey_token_for(reference, SECRET)
    assert manage != survey and len(survey) == 64
    assert feedback.find_for_survey(session, reference, survey, SECRET).id == completed.id
    with pytest.raises(feedback.InvalidLink):
        feedback.find_for_survey(session, reference, manage, SECRET)
    assert booking.find_by_token(session, reference, survey) is None
    assert booking.find_by_token(session, reference, manage).id == completed.id


def test_the_token_depends_on_reference_and_secret(
    session: Session, completed: Appointment
) -> None:
    other = make_appointment(session)
    assert feedback.survey_token_for(completed.reference, SECRET) == token(completed)
    assert feedback.survey_token_for(completed.reference, "another") != token(completed)
    with pytest.raises(feedback.InvalidLink):
        feedback.find_for_survey(session, completed.reference, token(other), SECRET)
    with pytest.raises(feedback.InvalidLink):
        feedback.find_for_survey(session, completed.reference, token(completed), "another")
    # Typed in lower case from a printed e-mail: still the same appointment.
    found = feedback.find_for_survey(session, completed.reference.lower(), token(completed), SECRET)
    assert found.id == completed.id


def test_survey_url_is_on_the_public_site(settings: Settings) -> None:
    url = feedback.survey_url(settings, "K7QX-3MPA", "abc123")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "balie.example", "/tevredenheid")
    assert parse_qs(parts.query) == {"ref": ["K7QX-3MPA"], "token": ["abc123"]}
    link = feedback.survey_link(settings, "K7QX-3MPA")
    assert parse_qs(urlsplit(link).query)["token"] == [
        feedback.survey_token_for("K7QX-3MPA", SECRET)
    ]


# --- answering -----------------------------------------------------------------------------


def test_an_answer_is_stored_once(session: Session, completed: Appointment) -> None:
    assert feedback.survey_state(session, completed.reference, token(completed), SECRET) == "open"
    answer(session, completed, 4, "  Goed geholpen,\r\ndank je!\x07 ")
    assert stored(session, completed) == (4, "Goed geholpen,\ndank je!", NOW)
    with pytest.raises(feedback.AlreadyAnswered):
        answer(session, completed, 1, "Toch niet")
    assert stored(session, completed) == (4, "Goed geholpen,\ndank je!", NOW)
    state = feedback.survey_state(session, completed.reference, token(completed), SECRET)
    assert state == "feedback_already_answered"


def test_of_two_answers_at_the_same_moment_one_is_stored(
    session: Session, completed: Appointment, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(session, completed, 4, "Eerst")
    checks: list[int] = []
    real_check = feedback._ensure_open

    def stale_check(appointment: Appointment) -> None:
        """The second answer read the row before the first was stored: its check passes."""
        checks.append(appointment.id)
        if len(checks) > 1:
            real_check(appointment)

    monkeypatch.setattr(feedback, "_ensure_open", stale_check)
    with pytest.raises(feedback.AlreadyAnswered):
        answer(session, completed, 1, "Tweede")
    assert len(checks) == 2  # the conditional UPDATE found nothing, then the reason was looked up
    assert stored(session, completed) == (4, "Eerst", NOW)


def test_an_answer_without_comment(session: Session, completed: Appointment) -> None:
    answer(session, completed, 5, "   \n ")
    assert stored(session, completed) == (5, None, NOW)


def test_the_already_answered_error_is_its_own(session: Session, completed: Appointment) -> None:
    answer(session, completed, 3)
    with pytest.raises(feedback.FeedbackError) as caught:
        answer(session, completed, 3)
    assert type(caught.value) is feedback.AlreadyAnswered
    assert not isinstance(caught.value, feedback.InvalidLink | feedback.NotAnswerable)


@pytest.mark.parametrize(
    ("reference", "link_token"),
    [
        ("wrong-token", None),
        ("unknown", "right-for-reference"),
        (None, None),
        ({"ref": 1}, None),
        ("", ""),
        ("x" * 5000, None),
    ],
)
def test_a_wrong_link_is_one_error_whatever_is_wrong(
    session: Session, completed: Appointment, reference: Any, link_token: Any
) -> None:
    if reference == "wrong-token":
        reference, link_token = completed.reference, "0" * 64
    elif reference == "unknown":
        reference = "ZZZZ-ZZZZ"
        link_token = feedback.survey_token_for(reference, SECRET)
    with pytest.raises(feedback.InvalidLink) as caught:
        feedback.answer(session, reference, link_token, 4, None, NOW, secret_key=SECRET)
    assert type(caught.value) is feedback.InvalidLink
    assert feedback.survey_state(session, reference, link_token, SECRET) == "feedback_invalid_link"
    assert stored(session, completed) == NOTHING


@pytest.mark.parametrize(
    "status", [AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED]
)
def test_only_completed_calls_can_be_answered(
    session: Session, completed: Appointment, status: AppointmentStatus
) -> None:
    appointment = make_appointment(session, status)
    with pytest.raises(feedback.NotAnswerable):
        answer(session, appointment, 4)
    assert stored(session, appointment) == NOTHING
    assert (
        feedback.survey_state(session, appointment.reference, token(appointment), SECRET)
        == "feedback_unavailable"
    )


def test_after_erasure_the_survey_is_closed(session: Session, completed: Appointment) -> None:
    assert retention.erase_due(session, NOW + timedelta(days=31), 30) >= 1
    with pytest.raises(feedback.NotAnswerable):
        answer(session, completed, 4, "Te laat")
    assert stored(session, completed) == NOTHING


@pytest.mark.parametrize("score", [None, "3", "4", 3.0, True, False, 0, 6, -1, 10**9, {}, [4]])
def test_a_score_must_be_a_whole_number_from_1_to_5(
    session: Session, completed: Appointment, score: Any
) -> None:
    with pytest.raises(feedback.InvalidScore):
        answer(session, completed, score, "Goed")
    assert stored(session, completed) == NOTHING
    answer(session, completed, 1)  # the survey stays open after a refused answer
    assert stored(session, completed)[0] == 1


@pytest.mark.parametrize("comment", ["x" * 1001, " " + "é" * 1001, {"text": "hi"}, 42, ["a"]])
def test_a_comment_must_be_text_of_at_most_1000_characters(
    session: Session, completed: Appointment, comment: Any
) -> None:
    with pytest.raises(feedback.InvalidComment):
        answer(session, completed, 4, comment)
    assert stored(session, completed) == NOTHING


def test_a_comment_of_exactly_1000_characters_is_kept(
    session: Session, completed: Appointment
) -> None:
    answer(session, completed, 2, "  " + "a" * 1000 + "\x00  ")
    assert stored(session, completed)[1] == "a" * 1000


# --- the e-mail job ------------------------------------------------------------------------


def survey_jobs(session: Session) -> list[Job]:
    """The survey jobs in the database."""
    session.expire_all()
    return list(session.exec(select(Job).where(Job.kind == feedback.SURVEY_KIND)).all())


@pytest.mark.parametrize("outcome", ["resolved", "follow_up", "referred", "in_person"])
def test_completing_a_call_plans_the_survey_once(
    session: Session, completed: Appointment, outcome: str
) -> None:
    appointment = make_appointment(session, AppointmentStatus.BOOKED)
    staff = counsellor(session)
    staff_day.record_outcome(session, staff, appointment.id, outcome, "", NOW)
    staff_day.record_outcome(session, staff, appointment.id, "resolved", "correctie", NOW)
    [job] = survey_jobs(session)
    assert job.appointment_id == appointment.id
    assert job.dedupe_key == f"mail.survey:{appointment.id}"
    assert job.run_after == NOW + feedback.SURVEY_DELAY


def test_a_no_show_gets_no_survey(session: Session, completed: Appointment) -> None:
    appointment = make_appointment(session, AppointmentStatus.BOOKED)
    staff_day.mark_no_show(session, counsellor(session), appointment.id, NOW)
    assert survey_jobs(session) == []


def test_no_survey_without_an_e_mail_address(session: Session, completed: Appointment) -> None:
    appointment = make_appointment(session, AppointmentStatus.BOOKED, email=None)
    staff_day.record_outcome(session, counsellor(session), appointment.id, "resolved", "", NOW)
    assert survey_jobs(session) == []


def test_enqueue_survey_only_for_completed_unanswered_calls(
    session: Session, completed: Appointment
) -> None:
    booked = make_appointment(session, AppointmentStatus.BOOKED)
    assert feedback.enqueue_survey(session, booked, NOW) is None
    answer(session, completed, 5)
    session.refresh(completed)
    assert feedback.enqueue_survey(session, completed, NOW) is None
    fresh = make_appointment(session)
    assert feedback.enqueue_survey(session, fresh, NOW) is not None
    assert feedback.enqueue_survey(session, fresh, NOW) is None
    session.commit()
    assert [job.appointment_id for job in survey_jobs(session)] == [fresh.id]


# --- the e-mail ----------------------------------------------------------------------------


def text_of(message: EmailMessage) -> str:
    """The plain-text body."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    """The HTML body."""
    return message.get_body(preferencelist=("html",)).get_content()


def test_the_survey_e_mail_in_dutch(
    session: Session, completed: Appointment, settings: Settings
) -> None:
    message = feedback.build_survey_mail(session, completed, settings)
    link = feedback.survey_link(settings, completed.reference)
    body = text_of(message)
    assert message["Subject"] == "Hoe was je videogesprek met Verhuurderspunt?"
    assert message["To"] == "jan@example.be"  # the address only, never the typed name
    assert message["Content-Language"] == "nl"
    assert body.startswith(
        "Beste Jan Peeters,\n\nBedankt voor je videogesprek met Verhuurderspunt."
    )
    assert "Het is maar één vraag. Je hebt geen account nodig." in body
    assert "Je kunt de vraag één keer beantwoorden." in body
    assert f"\n{link}\n" in body
    assert f"Referentie: {completed.reference}" in body
    assert "Stad Gent" in body
    assert f'href="{link.replace("&", "&amp;")}"' in html_of(message)
    assert not list(message.iter_attachments())
    assert booking.manage_token_for(completed.reference, SECRET) not in message.as_string()


def test_the_survey_e_mail_in_english(session: Session, settings: Settings) -> None:
    load_demo_data(session)
    appointment = make_appointment(session, language="en", name="Ann Smith")
    message = feedback.build_survey_mail(session, appointment, settings)
    body = text_of(message)
    assert message["Subject"].startswith("How was your video call with ")
    assert message["Content-Language"] == "en"
    assert body.startswith("Dear Ann Smith,\n\nThank you for your video call with ")
    assert "It is only one question. You do not need an account." in body
    assert "Give your opinion" in html_of(message)
    assert feedback.survey_link(settings, appointment.reference) in body


def test_the_survey_e_mail_escapes_what_the_citizen_typed(
    session: Session, settings: Settings
) -> None:
    load_demo_data(session)
    appointment = make_appointment(session, name='<script>alert("x")</script>\r\nBcc: x@evil')
    message = feedback.build_survey_mail(session, appointment, settings)
    html = html_of(message)
    assert "<script>" not in html and 'alert("x")' not in html
    assert message["Bcc"] is None and "\n" not in str(message["To"])
    assert message["To"].addresses[0].addr_spec == "jan@example.be"
    assert "\n" not in str(message["Subject"])
