"""The contact centre's identification link: sent for identification topics only, limited per
agent and per address (and the limits hold), audited without the address."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import AuditEntry, StaffMember
from balie.services.abuse.limiter import limiter_for
from balie.services.demo_data import DEMO_AGENT, demo_email, load_demo_data
from balie.services.identity import links
from balie.settings import Settings
from tests.conftest import RecordingMailer
from tests.states.test_booking_identity_state import PROVIDER_ENV


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Identification configured; 3 links per agent per hour, 2 per address per day."""
    for name, value in PROVIDER_ENV.items():
        monkeypatch.setenv(name, value)
    from balie.settings import get_settings

    get_settings.cache_clear()
    return Settings(
        _env_file=None,
        identity_links_per_agent_per_hour=3,
        identity_links_per_address_per_day=2,
        public_base_url="https://balie.gent.be",
    )


@pytest.fixture
def agent(session: Session) -> StaffMember:
    """The demo contact-centre agent."""
    load_demo_data(session)
    email = demo_email(DEMO_AGENT[0])
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


def send(session: Session, agent: StaffMember, settings: Settings, mailer, limiter, **kw) -> None:
    """Send one link for the change of address topic."""
    links.send_identity_link(
        session,
        agent,
        settings,
        kw.get("service", "burgerzaken"),
        kw.get("topic", "adreswijziging"),
        kw.get("email", "jan@example.be"),
        mailer=mailer,
        limiter=limiter,
        now=utcnow(),
    )


def test_the_link_mail_leads_to_the_topic_and_is_audited_without_the_address(
    session: Session, agent: StaffMember, settings: Settings
) -> None:
    mailer, limiter = RecordingMailer(), limiter_for(None, session.get_bind)
    send(session, agent, settings, mailer, limiter)
    (mail,) = mailer.sent
    assert mail["To"] == "jan@example.be"
    body = mail.get_content()
    assert "https://balie.gent.be/boeken?dienst=burgerzaken&onderwerp=adreswijziging" in body
    assert "itsme" in body
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "send_identity_link")).one()
    assert entry.staff_id == agent.id and "jan@example.be" not in str(entry.detail)


def test_the_limits_per_address_and_per_agent_hold(
    session: Session, agent: StaffMember, settings: Settings
) -> None:
    mailer, limiter = RecordingMailer(), limiter_for(None, session.get_bind)
    send(session, agent, settings, mailer, limiter, email="a@example.be")
    send(session, agent, settings, mailer, limiter, email="A@example.be")
    with pytest.raises(links.LinkRefused) as caught:
        send(session, agent, settings, mailer, limiter, email="a@example.be")
    assert caught.value.key == "identity_link_limited"
    send(session, agent, settings, mailer, limiter, email="b@example.be")  # third for the agent
    with pytest.raises(links.LinkRefused):
        send(session, agent, settings, mailer, limiter, email="c@example.be")
    assert len(mailer.sent) == 3


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"email": "geen-adres"}, "identity_link_bad_email"),
        ({"topic": "algemene-vraag"}, "identity_link_refused"),
        ({"topic": "paspoort"}, "identity_link_refused"),
        ({"service": "\x00"}, "identity_link_refused"),
    ],
)
def test_no_link_for_a_bad_address_or_a_topic_without_identification(
    session: Session, agent: StaffMember, settings: Settings, kw: dict, key: str
) -> None:
    mailer, limiter = RecordingMailer(), limiter_for(None, session.get_bind)
    with pytest.raises(links.LinkRefused) as caught:
        send(session, agent, settings, mailer, limiter, **kw)
    assert caught.value.key == key and mailer.sent == []
