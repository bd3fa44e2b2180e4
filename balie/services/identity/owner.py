"""Whether this browser's verified sign-in is the person an appointment was booked for.

An appointment of a topic that needs identification keeps its documents behind the personal
link AND a live sign-in of the same person. The match uses the strongest data both sides have:
the keyed hash of the national register number when both carry one, otherwise the verified
name together with the birth date (a name alone never matches). Pure Python without Reflex.
"""

from __future__ import annotations

import hmac
import unicodedata

from balie.models import Appointment, IdentificationLevel, Topic
from balie.services.identity.levels import ORDER, reaches, required_level
from balie.services.identity.signin import VerifiedPerson


def needed_level(appointment: Appointment, topic: Topic | None) -> str:
    """The level a sign-in needs to reach this appointment's documents ("none": link alone)."""
    level = IdentificationLevel.NONE
    if appointment.identity_level in ORDER:
        level = IdentificationLevel(appointment.identity_level)
    if topic is not None:
        level = max(level, required_level(topic), key=ORDER.__getitem__)
    return level.value


def _plain_name(name: str | None) -> str:
    """A name compared without case, accents or spacing differences."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


def same_person(appointment: Appointment, person: VerifiedPerson | None) -> bool:
    """Whether ``person`` is the one whose verified identity the appointment keeps."""
    if person is None or appointment.identity_verified_at is None:
        return False
    if appointment.identity_number_hash and person.number_hash:
        return hmac.compare_digest(appointment.identity_number_hash, person.number_hash)
    if not appointment.identity_birth_date or not person.birth_date:
        return False
    return appointment.identity_birth_date == person.birth_date and hmac.compare_digest(
        _plain_name(appointment.identity_name).encode(), _plain_name(person.name).encode()
    )


def may_share_documents(
    appointment: Appointment, topic: Topic | None, person: VerifiedPerson | None
) -> bool:
    """Whether the holder of the personal link may list, send and download documents."""
    needed = needed_level(appointment, topic)
    if needed == IdentificationLevel.NONE:
        return True
    return person is not None and reaches(person.level, needed) and same_person(appointment, person)
