"""Demo data for Stad Gent: the services of both waves, their topics, staff and opening hours.

All names and texts are written for this project. Loading is idempotent: rows are found by
their natural keys (slugs, e-mail addresses) and only missing ones are added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlmodel import Session, select

from balie.models import (
    ChannelRule,
    OpeningHours,
    Organisation,
    Role,
    Service,
    StaffMember,
    StaffService,
    Topic,
)

FIRST_WAVE = date(2025, 11, 3)
SECOND_WAVE = date(2026, 2, 23)
DEMO_EMAIL_DOMAIN = "demo.gent.invalid"

MORNING = (time(9, 0), time(12, 0))
AFTERNOON = (time(13, 30), time(16, 30))


@dataclass(frozen=True)
class DemoTopic:
    """A topic in the demo catalogue."""

    slug: str
    nl: str
    en: str
    prep_nl: str = ""
    prep_en: str = ""
    rule: ChannelRule = ChannelRule.VIDEO
    reason_nl: str = ""
    reason_en: str = ""


@dataclass(frozen=True)
class DemoService:
    """A service in the demo catalogue, with its staff."""

    slug: str
    nl: str
    en: str
    about_nl: str
    about_en: str
    live_from: date
    topics: tuple[DemoTopic, ...]
    staff: tuple[str, ...]
    minutes: int = 30
    buffer: int = 10


SERVICES: tuple[DemoService, ...] = (
    DemoService(
        "energiecentrale",
        "Energiecentrale",
        "Energy Centre",
        "Advies over renoveren, energie besparen en premies voor je woning.",
        "Advice on renovating, saving energy and grants for your home.",
        FIRST_WAVE,
        (
            DemoTopic(
                "renovatieadvies",
                "Advies over renovatie",
                "Renovation advice",
                "Houd foto's of plannen van je woning bij de hand, en je laatste energiefactuur.",
                "Have photos or plans of your home at hand, and your latest energy bill.",
            ),
            DemoTopic(
                "energiepremies",
                "Energiepremies aanvragen",
                "Applying for energy grants",
                "Houd de offertes of facturen van de werken bij de hand.",
                "Have the quotes or invoices for the works at hand.",
            ),
        ),
        ("Sara De Smet", "Pieter Van Damme"),
        minutes=45,
    ),
    DemoService(
        "woonwijzer",
        "Woonwijzer",
        "Housing Advice",
        "Hulp bij huren, kopen en sociale huisvesting.",
        "Help with renting, buying and social housing.",
        FIRST_WAVE,
        (
            DemoTopic(
                "sociale-huisvesting",
                "Sociale huisvesting",
                "Social housing",
                "Houd je rijksregisternummer en je laatste aanslagbiljet bij de hand.",
                "Have your national register number and your latest tax assessment at hand.",
            ),
            DemoTopic(
                "huurvragen",
                "Vragen over je huurcontract",
                "Questions about your rental contract",
                "Houd je huurcontract bij de hand.",
                "Have your rental contract at hand.",
            ),
        ),
        ("Fatima El Amrani", "Tom Verstraete"),
    ),
    DemoService(
        "verhuurderspunt",
        "Verhuurderspunt",
        "Landlord Desk",
        "Informatie voor wie een woning verhuurt in Gent.",
        "Information for people who let a home in Ghent.",
        FIRST_WAVE,
        (
            DemoTopic(
                "conformiteit",
                "Conformiteitsattest",
                "Certificate of conformity",
                "Houd het adres van de woning en eventuele keuringsverslagen bij de hand.",
                "Have the address of the home and any inspection reports at hand.",
            ),
            DemoTopic(
                "verhuren",
                "Starten met verhuren",
                "Starting to let a home",
            ),
        ),
        ("Lotte Claeys", "Karim Bouzid"),
    ),
    DemoService(
        "mobiliteitsbedrijf",
        "Mobiliteitsbedrijf",
        "Mobility Company",
        "Begeleiding bij vergunningen voor parkeren en inname van de openbare weg.",
        "Guidance on permits for parking and using the public road.",
        FIRST_WAVE,
        (
            DemoTopic(
                "parkeervergunning",
                "Parkeervergunning",
                "Parking permit",
                "Houd de nummerplaat en het inschrijvingsbewijs van je wagen bij de hand.",
                "Have your licence plate and vehicle registration certificate at hand.",
            ),
            DemoTopic(
                "signalisatievergunning",
                "Signalisatievergunning voor werken",
                "Road signs permit for works",
                "Houd het adres en de datum van de werken bij de hand.",
                "Have the address and date of the works at hand.",
            ),
        ),
        ("Jonas Maes", "Elif Yilmaz"),
        minutes=20,
        buffer=5,
    ),
    DemoService(
        "oog",
        "OOG – Ondersteuningspunt voor Ondernemers Gent",
        "OOG – Ghent Business Support Desk",
        "Advies voor wie een zaak start of uitbreidt in Gent.",
        "Advice for people starting or growing a business in Ghent.",
        FIRST_WAVE,
        (
            DemoTopic(
                "zaak-starten",
                "Een zaak starten",
                "Starting a business",
                "Houd je ondernemingsnummer bij de hand als je er al een hebt.",
                "Have your company number at hand if you already have one.",
            ),
            DemoTopic(
                "subsidies-ondernemers",
                "Subsidies voor ondernemers",
                "Grants for businesses",
            ),
        ),
        ("Nathalie Goossens", "Bram De Vos"),
        minutes=45,
    ),
    DemoService(
        "stedenbouw",
        "Stedenbouw",
        "Urban Planning",
        "Informatie over omgevingsvergunningen en bouwplannen.",
        "Information on environmental permits and building plans.",
        SECOND_WAVE,
        (
            DemoTopic(
                "omgevingsvergunning",
                "Vragen over een omgevingsvergunning",
                "Questions about an environmental permit",
                "Houd het adres en de plannen of schetsen van je project bij de hand.",
                "Have the address and the plans or sketches of your project at hand.",
            ),
            DemoTopic(
                "vooroverleg",
                "Vooroverleg over een bouwproject",
                "Preliminary talk about a building project",
                "Houd de plannen van je project bij de hand.",
                "Have the plans of your project at hand.",
            ),
        ),
        ("Hanne Peeters", "Wouter Janssens"),
        minutes=45,
    ),
    DemoService(
        "milieu-klimaat",
        "Milieu & Klimaat",
        "Environment & Climate",
        "Begeleiding bij premieaanvragen en vragen over milieu.",
        "Guidance on grant applications and environmental questions.",
        SECOND_WAVE,
        (
            DemoTopic(
                "premieaanvraag",
                "Hulp bij een premieaanvraag",
                "Help with a grant application",
                "Houd de facturen en je rekeningnummer bij de hand.",
                "Have the invoices and your bank account number at hand.",
            ),
            DemoTopic(
                "groendak",
                "Groendaken en regenwater",
                "Green roofs and rainwater",
            ),
        ),
        ("Ines Vandenberghe", "Youssef Amrani"),
    ),
    DemoService(
        "gas-boetes",
        "GAS-boetes",
        "Administrative fines (GAS)",
        "Vragen over een GAS-boete, of als je niet akkoord gaat met een boete.",
        "Questions about an administrative fine, or if you disagree with a fine.",
        SECOND_WAVE,
        (
            DemoTopic(
                "vraag-boete",
                "Een vraag over je boete",
                "A question about your fine",
                "Houd de brief met de boete en het referentienummer bij de hand.",
                "Have the letter about the fine and its reference number at hand.",
            ),
            DemoTopic(
                "niet-akkoord",
                "Je bent niet akkoord met een boete",
                "You disagree with a fine",
                "Houd de brief met de boete bij de hand, en foto's of andere bewijzen.",
                "Have the letter about the fine at hand, and photos or other evidence.",
            ),
        ),
        ("Marie Dubois", "Stijn Willems"),
        minutes=20,
        buffer=5,
    ),
    DemoService(
        "burgerzaken",
        "Burgerzaken",
        "Civil Affairs",
        "Algemene vragen over identiteitskaarten, paspoorten, rijbewijzen en attesten.",
        "General questions about identity cards, passports, driving licences and certificates.",
        FIRST_WAVE,
        (
            DemoTopic(
                "algemene-vraag",
                "Een algemene vraag",
                "A general question",
                "Schrijf je vraag vooraf op.",
                "Write down your question beforehand.",
            ),
            DemoTopic(
                "identiteitskaart",
                "Identiteitskaart aanvragen",
                "Applying for an identity card",
                rule=ChannelRule.IN_PERSON,
                reason_nl="Voor een identiteitskaart nemen we je vingerafdrukken. "
                "Dat kan alleen aan het loket.",
                reason_en="For an identity card we take your fingerprints. "
                "That can only be done at the counter.",
            ),
            DemoTopic(
                "paspoort",
                "Paspoort aanvragen",
                "Applying for a passport",
                rule=ChannelRule.IN_PERSON,
                reason_nl="Voor een paspoort nemen we je vingerafdrukken en een foto. "
                "Dat moet volgens de wet aan het loket.",
                reason_en="For a passport we take your fingerprints and a photo. "
                "By law this must be done at the counter.",
            ),
            DemoTopic(
                "rijbewijs",
                "Rijbewijs afhalen",
                "Collecting a driving licence",
                rule=ChannelRule.IN_PERSON,
                reason_nl="Je rijbewijs moet je zelf komen afhalen aan het loket.",
                reason_en="You have to collect your driving licence yourself at the counter.",
            ),
            DemoTopic(
                "attest-ondertekenen",
                "Een verklaring ondertekenen",
                "Signing a declaration",
                rule=ChannelRule.NEEDS_SIGNATURE,
            ),
        ),
        ("An Mertens", "Ruben De Clercq"),
        minutes=20,
        buffer=5,
    ),
)

DEMO_MANAGER = ("Els Van Acker", (Role.MANAGER, Role.ADMIN))
DEMO_AGENT = ("Gentinfo Medewerker", (Role.AGENT,))


@dataclass
class LoadReport:
    """What a demo load added."""

    organisations: int = 0
    services: int = 0
    topics: int = 0
    staff: int = 0

    def total(self) -> int:
        """Number of rows added."""
        return self.organisations + self.services + self.topics + self.staff


def demo_email(display_name: str) -> str:
    """A demo e-mail address that can never be delivered (.invalid)."""
    local = ".".join(display_name.lower().replace("–", " ").split())
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


def _ensure_organisation(session: Session, report: LoadReport) -> Organisation:
    """Stad Gent, created when missing."""
    organisation = session.exec(select(Organisation).where(Organisation.slug == "gent")).first()
    if organisation is None:
        organisation = Organisation(
            slug="gent",
            name="Stad Gent",
            time_zone="Europe/Brussels",
            holiday_country="BE",
            holiday_subdivision=None,
            contact_email="gentinfo@demo.gent.invalid",
            contact_phone="09 210 10 10",
            website_url="https://stad.gent",
            counter_booking_url="https://stad.gent/nl/afspraak",
        )
        session.add(organisation)
        session.flush()
        report.organisations += 1
    return organisation


def _ensure_service(
    session: Session, organisation: Organisation, demo: DemoService, order: int, report: LoadReport
) -> Service:
    """A demo service, created when missing."""
    service = session.exec(
        select(Service).where(Service.organisation_id == organisation.id, Service.slug == demo.slug)
    ).first()
    if service is None:
        service = Service(
            organisation_id=organisation.id,
            slug=demo.slug,
            name={"nl": demo.nl, "en": demo.en},
            description={"nl": demo.about_nl, "en": demo.about_en},
            live_from=demo.live_from,
            appointment_minutes=demo.minutes,
            buffer_minutes=demo.buffer,
            min_notice_minutes=120,
            horizon_days=42,
            sort_order=order,
        )
        session.add(service)
        session.flush()
        report.services += 1
    return service


def _ensure_topic(
    session: Session, service: Service, demo: DemoTopic, order: int, report: LoadReport
) -> None:
    """A demo topic, created when missing."""
    exists = session.exec(
        select(Topic.id).where(Topic.service_id == service.id, Topic.slug == demo.slug)
    ).first()
    if exists is not None:
        return
    reason = {"nl": demo.reason_nl, "en": demo.reason_en} if demo.reason_nl else {}
    preparation = {"nl": demo.prep_nl, "en": demo.prep_en} if demo.prep_nl else {}
    session.add(
        Topic(
            service_id=service.id,
            slug=demo.slug,
            name={"nl": demo.nl, "en": demo.en},
            channel_rule=demo.rule,
            channel_reason=reason,
            preparation=preparation,
            sort_order=order,
        )
    )
    report.topics += 1


def _ensure_staff(
    session: Session,
    organisation: Organisation,
    display_name: str,
    roles: tuple[Role, ...],
    report: LoadReport,
) -> tuple[StaffMember, bool]:
    """A demo staff member, created when missing; also says whether it was created."""
    email = demo_email(display_name)
    staff = session.exec(
        select(StaffMember).where(
            StaffMember.organisation_id == organisation.id, StaffMember.email == email
        )
    ).first()
    if staff is not None:
        return staff, False
    staff = StaffMember(
        organisation_id=organisation.id,
        display_name=display_name,
        email=email,
        roles=[role.value for role in roles],
    )
    session.add(staff)
    session.flush()
    report.staff += 1
    return staff, True


def _add_weekday_hours(session: Session, staff: StaffMember, service: Service, index: int) -> None:
    """Weekday hours: the first counsellor of a service works mornings and afternoons,
    the second works mornings and has Wednesday afternoon off."""
    for weekday in range(5):
        windows = [MORNING, AFTERNOON]
        if index % 2 == 1 and weekday == 2:
            windows = [MORNING]
        for start, end in windows:
            session.add(
                OpeningHours(
                    staff_id=staff.id,
                    service_id=service.id,
                    weekday=weekday,
                    start_time=start,
                    end_time=end,
                )
            )


def load_demo_data(session: Session) -> LoadReport:
    """Add whatever part of the Ghent demo data is missing, and commit."""
    report = LoadReport()
    organisation = _ensure_organisation(session, report)
    for order, demo in enumerate(SERVICES):
        service = _ensure_service(session, organisation, demo, order, report)
        for topic_order, topic in enumerate(demo.topics):
            _ensure_topic(session, service, topic, topic_order, report)
        for index, name in enumerate(demo.staff):
            staff, created = _ensure_staff(session, organisation, name, (Role.STAFF,), report)
            if created:
                session.add(StaffService(staff_id=staff.id, service_id=service.id))
                _add_weekday_hours(session, staff, service, index)
    for name, roles in (DEMO_MANAGER, DEMO_AGENT):
        _ensure_staff(session, organisation, name, roles, report)
    session.commit()
    return report


def database_is_empty(session: Session) -> bool:
    """Whether no organisation exists yet."""
    return session.exec(select(Organisation.id)).first() is None
