"""The contact centre's way to a topic that needs identification: e-mail the citizen a link.

An agent cannot sign in for a citizen, so they send a link to the wizard at that topic; the
citizen signs in with itsme or eID there and books. Limited per agent per hour and per address
per day (keyed hashes in the counters, never the address); audited without the address.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlencode

from limits import RateLimitItemPerDay, RateLimitItemPerHour
from sqlmodel import Session

from balie.i18n import pick
from balie.models import Organisation, StaffMember
from balie.services import booking, tenancy
from balie.services.abuse.limiter import Limiter
from balie.services.identity.levels import required_level
from balie.services.notifications import Mailer
from balie.services.staff.staff_auth import audit
from balie.services.validation import check_email
from balie.settings import Settings


class LinkRefused(Exception):
    """The link is not sent; ``key`` names the message for the agent."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _counter_id(settings: Settings, kind: str, value: str) -> str:
    """A keyed hash of what a counter counts."""
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def count_link(limiter: Limiter, settings: Settings, staff_id: int, email: str) -> None:
    """Count one link for the agent and the address, or LinkRefused (nothing counted)."""
    rules = [
        (
            RateLimitItemPerHour(settings.identity_links_per_agent_per_hour),
            _counter_id(settings, "agent", str(staff_id)),
        ),
        (
            RateLimitItemPerDay(settings.identity_links_per_address_per_day),
            _counter_id(settings, "address", email.lower()),
        ),
    ]
    if not all(limiter.test(item, "identity-link", key) for item, key in rules):
        raise LinkRefused("identity_link_limited")
    for item, key in rules:
        limiter.hit(item, "identity-link", key)


def link_url(settings: Settings, service_slug: str, topic_slug: str) -> str:
    """The wizard at this topic, on the public site."""
    query = urlencode({"dienst": service_slug, "onderwerp": topic_slug})
    return f"{settings.public_base_url.rstrip('/')}/boeken?{query}"


def link_mail(settings: Settings, email: str, topic_name: dict[str, str], url: str) -> EmailMessage:
    """The e-mail with the link, in Dutch and English."""
    mail = EmailMessage()
    mail["Subject"] = "Maak je afspraak: meld je aan met itsme of eID / Book your appointment"
    mail["From"] = settings.mail_from
    mail["To"] = email
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = make_msgid()
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(
        f"Dag,\n\nJe belde ons over: {pick(topic_name, 'nl')}.\n"
        "Daarvoor moeten we zeker weten wie je bent. Open deze link, meld je aan met itsme "
        f"of eID en kies een moment:\n\n{url}\n\n"
        "Vroeg je dit niet? Dan hoef je niets te doen.\n\n---\n\n"
        f"Hello,\n\nYou called us about: {pick(topic_name, 'en')}.\n"
        "For this we need to be sure who you are. Open this link, sign in with itsme or eID "
        f"and choose a time:\n\n{url}\n\n"
        "Did you not ask for this? Then you do not need to do anything.\n"
    )
    return mail


def send_identity_link(
    session: Session,
    staff: StaffMember,
    settings: Settings,
    service_slug: str,
    topic_slug: str,
    email: str,
    *,
    mailer: Mailer,
    limiter: Limiter,
    now: datetime,
) -> None:
    """Check the topic and the address, count the limits, send the link; audited."""
    address, problem = check_email(email)
    if problem or not address:
        raise LinkRefused("identity_link_bad_email")
    organisation = session.get(Organisation, staff.organisation_id)
    if organisation is None:
        raise LinkRefused("identity_link_refused")
    settings = tenancy.settings_for(settings, organisation.slug)  # links to the staff's city
    try:
        service = booking.find_live_service(session, organisation, service_slug, now)
        topic = booking.find_bookable_topic(session, service, topic_slug)
    except booking.BookingError:
        raise LinkRefused("identity_link_refused") from None
    if required_level(topic) == "none":
        raise LinkRefused("identity_link_refused")
    count_link(limiter, settings, staff.id, address)
    mailer.send(
        link_mail(settings, address, dict(topic.name), link_url(settings, service.slug, topic.slug))
    )
    audit(
        session,
        staff,
        "send_identity_link",
        "topic",
        topic.id,
        at=now,
        service=service.slug,
        topic=topic.slug,
    )
    session.commit()
