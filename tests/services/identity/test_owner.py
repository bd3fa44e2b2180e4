"""Whether a verified sign-in is the person of an appointment: number hash first, then name and
birth date; never a name alone; appointments without identification need no sign-in."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from balie.db_types import utcnow
from balie.models import Appointment, ChannelRule, IdentificationLevel, Topic
from balie.services.identity import owner
from balie.services.identity.signin import VerifiedPerson

NOW = utcnow()
JAN = VerifiedPerson(
    level="substantial",
    method="itsme",
    verified_at=NOW,
    name="Jan Peeters",
    birth_date="1985-07-30",
    number_hash="a" * 64,
    number=None,
    email=None,
)
IDENTIFIED = Topic(
    service_id=1,
    slug="adreswijziging",
    channel_rule=ChannelRule.NEEDS_IDENTIFICATION,
    identification_level=IdentificationLevel.SUBSTANTIAL,
)
PUBLIC = Topic(service_id=1, slug="algemene-vraag")


def appointment_of(person: VerifiedPerson | None) -> Appointment:
    """An appointment booked with ``person``'s verified identity (anonymous when None)."""
    fields = {}
    if person is not None:
        fields = {
            "identity_level": person.level,
            "identity_method": person.method,
            "identity_verified_at": person.verified_at - timedelta(days=2),
            "identity_name": person.name,
            "identity_birth_date": person.birth_date,
            "identity_number_hash": person.number_hash,
        }
    return Appointment(reference="AAAA-BBBB", start_at=NOW, end_at=NOW, busy_until=NOW, **fields)


def test_the_same_number_hash_is_the_same_person() -> None:
    assert owner.may_share_documents(appointment_of(JAN), IDENTIFIED, JAN)


def test_another_number_hash_is_another_person_even_with_the_same_name_and_birth_date() -> None:
    namesake = replace(JAN, number_hash="b" * 64)
    assert not owner.same_person(appointment_of(JAN), namesake)
    assert not owner.may_share_documents(appointment_of(JAN), IDENTIFIED, namesake)


def test_without_a_number_on_one_side_name_and_birth_date_decide() -> None:
    booked = appointment_of(replace(JAN, number_hash=None))
    assert owner.same_person(booked, replace(JAN, name="  jan   PEETERS "))
    assert owner.same_person(
        appointment_of(replace(JAN, name="Zoë Peeters")),
        replace(JAN, name="Zoe Peeters", number_hash=None),
    )
    assert not owner.same_person(booked, replace(JAN, birth_date="1985-07-31"))
    assert not owner.same_person(booked, replace(JAN, name="Jan Peters"))


def test_a_name_alone_never_matches() -> None:
    booked = appointment_of(replace(JAN, number_hash=None, birth_date=None))
    assert not owner.same_person(booked, replace(JAN, number_hash=None, birth_date=None))
    assert not owner.same_person(
        appointment_of(JAN), replace(JAN, number_hash=None, birth_date=None)
    )


def test_no_sign_in_or_a_lower_level_is_refused() -> None:
    booked = appointment_of(replace(JAN, level="high"))
    assert not owner.may_share_documents(booked, IDENTIFIED, None)
    assert not owner.may_share_documents(booked, IDENTIFIED, JAN)  # substantial < high
    assert owner.may_share_documents(booked, IDENTIFIED, replace(JAN, level="high"))


def test_a_topic_that_needs_identification_without_a_stored_identity_stays_closed() -> None:
    anonymous = appointment_of(None)
    assert owner.needed_level(anonymous, IDENTIFIED) == "substantial"
    assert not owner.may_share_documents(anonymous, IDENTIFIED, JAN)


def test_without_identification_the_link_alone_is_enough() -> None:
    anonymous = appointment_of(None)
    assert owner.needed_level(anonymous, PUBLIC) == "none"
    assert owner.may_share_documents(anonymous, PUBLIC, None)
    assert owner.may_share_documents(anonymous, None, None)
