"""A second, smaller demo municipality (Merelbeke) on its own host, beside Ghent.

Ghent keeps no host rows: it is ``BALIE_ORGANISATION`` and answers on every configured host
(``localhost``, ``127.0.0.1``). Merelbeke answers on ``merelbeke.localhost``, which browsers
and curl resolve to the loopback address, so ``make run`` serves both cities side by side.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from balie.models import ChannelRule, Organisation, OrganisationHost, Role
from balie.services import tenancy
from balie.services.demo_data import (
    DemoService,
    DemoTopic,
    LoadReport,
    _ensure_staff,
    ensure_services,
)
from balie.services.demo_look import MERELBEKE, give_demo_look

SLUG = "merelbeke"
HOST = "merelbeke.localhost"
EMAIL_DOMAIN = "demo.merelbeke.invalid"
LIVE_FROM = date(2026, 1, 5)

SERVICES: tuple[DemoService, ...] = (
    DemoService(
        "bevolking",
        "Bevolking",
        "Population Office",
        "Vragen over je adres, attesten en je rijbewijs.",
        "Questions about your address, certificates and your driving licence.",
        LIVE_FROM,
        (
            DemoTopic(
                "verhuizen",
                "Je verhuizing melden",
                "Reporting your move",
                "Houd je nieuwe adres en de datum van je verhuizing bij de hand.",
                "Have your new address and the date of your move at hand.",
            ),
            DemoTopic(
                "attest-aanvragen",
                "Een attest aanvragen",
                "Asking for a certificate",
            ),
            DemoTopic(
                "rijbewijs-ophalen",
                "Je rijbewijs ophalen",
                "Collecting your driving licence",
                rule=ChannelRule.IN_PERSON,
                reason_nl="Je rijbewijs haal je zelf op aan het loket in het gemeentehuis.",
                reason_en="You collect your driving licence yourself at the town hall counter.",
            ),
        ),
        ("Koen De Wilde",),
        minutes=20,
        buffer=5,
    ),
    DemoService(
        "bouwen-wonen",
        "Bouwen en wonen",
        "Planning and Environment",
        "Advies over bouwen, verbouwen en premies voor je woning.",
        "Advice on building, renovating and grants for your home.",
        LIVE_FROM,
        (
            DemoTopic(
                "bouwadvies",
                "Advies over je bouwplannen",
                "Advice on your building plans",
                "Houd je plannen of foto's van je woning bij de hand.",
                "Have your plans or photos of your home at hand.",
            ),
            DemoTopic("premies", "Premies voor je woning", "Grants for your home"),
        ),
        ("Nathalie Roels",),
    ),
)
MANAGER = ("Hilde Verstraete", (Role.MANAGER, Role.ADMIN))
SIGN_INS = ("Koen De Wilde", MANAGER[0])


def email_of(display_name: str) -> str:
    """A demo e-mail address of Merelbeke that can never be delivered (.invalid)."""
    return f"{'.'.join(display_name.lower().split())}@{EMAIL_DOMAIN}"


def _ensure_municipality(session: Session, report: LoadReport) -> Organisation:
    """Gemeente Merelbeke and its host, created when missing."""
    organisation = session.exec(select(Organisation).where(Organisation.slug == SLUG)).first()
    if organisation is None:
        organisation = Organisation(
            slug=SLUG,
            name="Gemeente Merelbeke",
            contact_email=f"info@{EMAIL_DOMAIN}",
            contact_phone="09 210 33 00",
            website_url="https://www.merelbeke.be",
        )
        session.add(organisation)
        session.flush()
        report.organisations += 1
    if session.exec(select(OrganisationHost.id).where(OrganisationHost.host == HOST)).first():
        return organisation
    session.add(OrganisationHost(organisation_id=organisation.id, host=HOST, is_primary=True))
    session.flush()
    return organisation


def load_second_city(session: Session) -> LoadReport:
    """Add whatever part of the Merelbeke demo data is missing, and commit."""
    report = LoadReport()
    organisation = _ensure_municipality(session, report)
    ensure_services(session, organisation, SERVICES, report, email_of)
    _ensure_staff(session, organisation, MANAGER[0], MANAGER[1], report, email_of(MANAGER[0]))
    give_demo_look(session, organisation, MERELBEKE)
    session.commit()
    tenancy.forget_hosts()
    return report
