"""Demo data for Stad Gent: the services of both waves, their topics, staff and opening hours,
and (separately, see ``load_demo_history``) a made-up history of past calls.

All names and texts are written for this project. Loading is idempotent: rows are found by
their natural keys (slugs, e-mail addresses) and only missing ones are added.
"""

from __future__ import annotations

import base64
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import insert
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    BookingChannel,
    ChannelRule,
    IdentificationLevel,
    MeetingState,
    OpeningHours,
    Organisation,
    Outcome,
    Role,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services.booking import REFERENCE_ALPHABET, token_hash
from balie.services.demo_look import give_demo_look
from balie.services.privacy.retention import PERSONAL_FIELDS

FIRST_WAVE = date(2025, 11, 3)
SECOND_WAVE = date(2026, 2, 23)
DEMO_EMAIL_DOMAIN = "demo.gent.invalid"

MORNING = (time(9, 0), time(12, 0))
AFTERNOON = (time(13, 30), time(16, 30))


# Shown while the city has no identity provider configured (BALIE_IDENTITY_*).
NO_PROVIDER_NL = (
    "Hiervoor moet je je aanmelden met itsme of eID. Dat kan op deze site nog niet: "
    "kom naar het loket of bel ons."
)
NO_PROVIDER_EN = (
    "For this you need to sign in with itsme or eID. This site cannot do that yet: "
    "come to the counter or call us."
)


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
    level: IdentificationLevel = IdentificationLevel.NONE


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
                "uittreksel-attest",
                "Uittreksel uit het bevolkingsregister of een attest",
                "Extract from the population register or a certificate",
                "Je meldt je aan met itsme of je eID (niveau hoog). Zeg waarvoor je het "
                "document nodig hebt. Houd je identiteitskaart bij de hand voor het gesprek.",
                "You sign in with itsme or your eID (level high). Say what you need the "
                "document for. Keep your identity card at hand for the call.",
                rule=ChannelRule.NEEDS_IDENTIFICATION,
                reason_nl=NO_PROVIDER_NL,
                reason_en=NO_PROVIDER_EN,
                level=IdentificationLevel.HIGH,
            ),
            DemoTopic(
                "adreswijziging",
                "Een adreswijziging melden",
                "Reporting a change of address",
                "Je meldt je aan met itsme of je eID. Houd je nieuwe adres, de datum van "
                "de verhuis en de namen van wie mee verhuist bij de hand.",
                "You sign in with itsme or your eID. Have your new address, the moving "
                "date and the names of who moves with you at hand.",
                rule=ChannelRule.NEEDS_IDENTIFICATION,
                reason_nl=NO_PROVIDER_NL,
                reason_en=NO_PROVIDER_EN,
                level=IdentificationLevel.SUBSTANTIAL,
            ),
            DemoTopic(
                "lopend-dossier",
                "Vragen over een lopend dossier",
                "Questions about a running file",
                "Je meldt je aan met itsme of je eID. Houd het nummer van je dossier en "
                "de brieven die je kreeg bij de hand.",
                "You sign in with itsme or your eID. Have your file number and the letters "
                "you received at hand.",
                rule=ChannelRule.NEEDS_IDENTIFICATION,
                reason_nl=NO_PROVIDER_NL,
                reason_en=NO_PROVIDER_EN,
                level=IdentificationLevel.SUBSTANTIAL,
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

# Documents a topic asks the citizen to send (Dutch, English), by topic slug. The Burgerzaken
# slugs of the identified topics are listed too, for when those topics are in the catalogue.
DEMO_DOCUMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "renovatieadvies": (
        ("Offerte van de aannemer", "Contractor's quote"),
        ("Foto's van de woning", "Photos of the home"),
    ),
    "energiepremies": (
        ("Facturen van de werken", "Invoices for the works"),
        ("Energieprestatiecertificaat (EPC)", "Energy performance certificate (EPC)"),
    ),
    "huurvragen": (("Huurcontract", "Rental agreement"),),
    "conformiteit": (("Keuringsverslagen", "Inspection reports"),),
    "parkeervergunning": (
        ("Inschrijvingsbewijs van de wagen", "Vehicle registration certificate"),
    ),
    "omgevingsvergunning": (
        ("Plannen of schetsen van de werken", "Plans or sketches of the works"),
    ),
    "premieaanvraag": (("Facturen", "Invoices"),),
    "vraag-boete": (("De brief over de boete", "The letter about the fine"),),
    "niet-akkoord": (
        ("De brief over de boete", "The letter about the fine"),
        ("Foto's of andere bewijzen", "Photos or other evidence"),
    ),
    "algemene-vraag": (
        (
            "Een brief of document over je vraag, als je er een hebt",
            "A letter or document about your question, if you have one",
        ),
    ),
    "adreswijziging": (
        ("Huurcontract of eigendomsakte van het nieuwe adres", "Lease or deed of the new address"),
    ),
    "uittreksel-attest": (),
    "lopend-dossier": (
        ("Brieven die je kreeg over je dossier", "Letters you got about your file"),
    ),
}

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
            documents_requested=[
                {"nl": nl, "en": en} for nl, en in DEMO_DOCUMENTS.get(demo.slug, ())
            ],
            identification_level=demo.level,
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
    email: str = "",
) -> tuple[StaffMember, bool]:
    """A demo staff member, created when missing; also says whether it was created."""
    email = email or demo_email(display_name)
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


def ensure_services(
    session: Session,
    organisation: Organisation,
    services: Sequence[DemoService],
    report: LoadReport,
    email_of: Callable[[str], str] | None = None,
) -> None:
    """The demo services, their topics and counsellors (with weekday hours), where missing."""
    for order, demo in enumerate(services):
        service = _ensure_service(session, organisation, demo, order, report)
        for topic_order, topic in enumerate(demo.topics):
            _ensure_topic(session, service, topic, topic_order, report)
        for index, name in enumerate(demo.staff):
            email = email_of(name) if email_of else None
            staff, created = _ensure_staff(
                session, organisation, name, (Role.STAFF,), report, email
            )
            if created:
                session.add(StaffService(staff_id=staff.id, service_id=service.id))
                _add_weekday_hours(session, staff, service, index)


def load_demo_data(session: Session) -> LoadReport:
    """Add whatever part of the Ghent demo data is missing, and commit."""
    report = LoadReport()
    organisation = _ensure_organisation(session, report)
    ensure_services(session, organisation, SERVICES, report)
    for name, roles in (DEMO_MANAGER, DEMO_AGENT):
        _ensure_staff(session, organisation, name, roles, report)
    give_demo_look(session, organisation)
    session.commit()
    return report


def database_is_empty(session: Session) -> bool:
    """Whether no organisation exists yet."""
    return session.exec(select(Organisation.id)).first() is None


# --- history of past calls -------------------------------------------------------------------

HISTORY_SEED = 20251103  # a constant: every fresh demo database gets the same history
CITIZEN_EMAIL_DOMAIN = "burger.demo.invalid"
JITSI_DEMO_BASE = "https://meet.jit.si"
GO_LIVE_NOTICE = timedelta(days=7)  # bookings opened a week before a service went live
MOVED_SHARE, PHONE_SHARE, ENGLISH_SHARE, CONTACT_CENTRE_SHARE = 0.10, 0.4, 0.15, 0.20
CANCELLED_SHARE, NO_SHOW_SHARE, FEEDBACK_SHARE, COMMENT_SHARE = 0.08, 0.05, 0.40, 0.3
OUTCOME_WEIGHTS = {
    Outcome.RESOLVED: 62,
    Outcome.FOLLOW_UP: 20,
    Outcome.REFERRED: 11,
    Outcome.IN_PERSON: 7,
}
SCORE_WEIGHTS = {5: 55, 4: 30, 3: 9, 2: 4, 1: 2}
# Fields the retention task clears; the feedback comment is the citizen's own words, too.
ERASED_FIELDS = tuple(dict.fromkeys((*PERSONAL_FIELDS, "feedback_comment")))
# Columns only some rows fill in; a bulk insert needs every row to name the same columns.
HISTORY_COLUMNS = (
    "cancel_reason",
    "outcome",
    "staff_note",
    "completed_at",
    "feedback_score",
    "feedback_comment",
    "feedback_at",
    "identity_name",
    "identity_birth_date",
    "identity_number_hash",
    "identity_number",
)

FIRST_NAMES = (
    "Anouk", "Bart", "Chloé", "Dries", "Emma", "Farid", "Griet", "Hamza", "Ilse", "Jens",
    "Katrien", "Lars", "Mila", "Nabil", "Olivia", "Pieter-Jan", "Rania", "Seppe", "Tine", "Wout",
)  # fmt: skip
LAST_NAMES = (
    "Aerts", "Baert", "Cools", "De Backer", "El Idrissi", "Frans", "Hermans", "Kaya",
    "Lambrecht", "Martens", "Nguyen", "Pauwels", "Roels", "Schepens", "Van Hecke", "Wouters",
)  # fmt: skip
QUESTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "energiecentrale": (
        ("Ik wil mijn dak isoleren. Welke premies zijn er?",
         "I want to insulate my roof. Which grants are there?"),
        ("Is een warmtepomp een goed idee voor mijn rijhuis?",
         "Is a heat pump a good idea for my terraced house?"),
    ),
    "woonwijzer": (
        ("Hoe lang is de wachtlijst voor een sociale woning?",
         "How long is the waiting list for social housing?"),
        ("Mijn verhuurder wil de huur verhogen. Mag dat?",
         "My landlord wants to raise the rent. Is that allowed?"),
    ),
    "verhuurderspunt": (
        ("Heb ik een conformiteitsattest nodig voor mijn studio?",
         "Do I need a certificate of conformity for my studio?"),
    ),
    "mobiliteitsbedrijf": (
        ("Ik verhuis volgende maand. Hoe vraag ik een bewonerskaart aan?",
         "I am moving next month. How do I apply for a resident's parking card?"),
        ("Ik heb een container nodig voor de straat. Welke vergunning is dat?",
         "I need a skip in the street. Which permit do I need?"),
    ),
    "oog": (
        ("Ik wil een koffiebar openen. Waar begin ik?",
         "I want to open a coffee bar. Where do I start?"),
    ),
    "stedenbouw": (
        ("Mag ik een veranda bouwen zonder vergunning?",
         "May I build a veranda without a permit?"),
        ("Ik wil mijn garage verbouwen tot een kamer.",
         "I want to turn my garage into a room."),
    ),
    "milieu-klimaat": (
        ("Hoe vraag ik de premie voor een regenwaterput aan?",
         "How do I apply for the rainwater tank grant?"),
    ),
    "gas-boetes": (
        ("Ik kreeg een boete voor sluikstorten, maar het was mijn afval niet.",
         "I got a fine for fly-tipping, but it was not my rubbish."),
        ("Kan ik mijn boete in schijven betalen?",
         "Can I pay my fine in instalments?"),
    ),
    "burgerzaken": (
        ("Welke papieren heb ik nodig om te trouwen in Gent?",
         "Which documents do I need to get married in Ghent?"),
    ),
}  # fmt: skip
NOTES = {
    Outcome.RESOLVED: "Vraag beantwoord, geen verdere actie nodig.",
    Outcome.FOLLOW_UP: "Burger stuurt nog documenten; terugbellen na ontvangst.",
    Outcome.REFERRED: "Doorverwezen naar een andere dienst.",
    Outcome.IN_PERSON: "Afspraak aan het loket nodig voor de handtekening.",
}
CANCEL_REASONS = (
    "Ik ben ziek.",
    "Mijn vraag is intussen opgelost.",
    "Ik kan toch niet op dat uur.",
    "",
)
COMMENTS = (
    "Heel vlot geholpen, dank je wel!",
    "Duidelijke uitleg, ik moest me niet verplaatsen.",
    "Het geluid viel af en toe weg.",
    "Handig, maar ik moest even wachten voor het gesprek begon.",
)


@dataclass
class _Counsellor:
    """A demo counsellor's weekly windows for one service."""

    staff_id: int
    windows: dict[int, list[tuple[time, time]]] = field(default_factory=dict)


@dataclass
class _DemoService:
    """What the history needs to know about one service."""

    service: Service
    topic_ids: list[int]
    counsellors: list[_Counsellor]


@dataclass
class _History:
    """The state of one history run: the catalogue, the busy times and the random source."""

    organisation: Organisation
    tz: ZoneInfo
    now: datetime
    retention: timedelta
    services: list[_DemoService]
    busy: dict[int, list[tuple[datetime, datetime]]]
    rng: random.Random = field(default_factory=lambda: random.Random(HISTORY_SEED))
    references: set[str] = field(default_factory=set)


def _weekly_target(monday: date, rng: random.Random) -> int:
    """Calls in a whole week: a few before the second wave, then growing to 15-30 a week."""
    if monday + timedelta(days=4) < SECOND_WAVE:
        return rng.randint(3, 6)
    weeks_live = (monday - SECOND_WAVE).days // 7
    base = 15 + min(weeks_live, 26) * 0.5
    return max(15, min(30, round(base + rng.uniform(-3, 3))))


def _open_days(monday: date, today: date, closed: holidays.HolidayBase) -> list[date]:
    """The weekdays of the week from the first go-live to yesterday, without public holidays."""
    days = (monday + timedelta(days=offset) for offset in range(5))
    return [day for day in days if FIRST_WAVE <= day < today and day not in closed]


def _catalogue(session: Session, organisation: Organisation) -> list[_DemoService]:
    """The demo services with their video topics and counsellors' opening hours."""
    slugs = [demo.slug for demo in SERVICES]
    found = []
    for service in session.exec(
        select(Service).where(Service.organisation_id == organisation.id, Service.slug.in_(slugs))
    ).all():
        topics = session.exec(
            select(Topic.id).where(
                Topic.service_id == service.id,
                Topic.active,
                Topic.channel_rule == ChannelRule.VIDEO,
            )
        ).all()
        counsellors: dict[int, _Counsellor] = {}
        for hours in session.exec(
            select(OpeningHours).where(OpeningHours.service_id == service.id)
        ).all():
            counsellor = counsellors.setdefault(hours.staff_id, _Counsellor(hours.staff_id))
            counsellor.windows.setdefault(hours.weekday, []).append(
                (hours.start_time, hours.end_time)
            )
        if topics and counsellors:
            found.append(_DemoService(service, list(topics), list(counsellors.values())))
    return sorted(found, key=lambda item: item.service.sort_order)


def _busy_times(
    session: Session, organisation: Organisation, low: datetime, high: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per staff member, the times already taken by active appointments (real ones too)."""
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for staff_id, start, until in session.exec(
        select(Appointment.staff_id, Appointment.start_at, Appointment.busy_until).where(
            Appointment.organisation_id == organisation.id,
            Appointment.status != AppointmentStatus.CANCELLED,
            Appointment.start_at < high,
            Appointment.busy_until > low,
        )
    ).all():
        busy[staff_id].append((start, until))
    return busy


def _starts(history: _History, day: date, demo: _DemoService, who: _Counsellor) -> list[datetime]:
    """UTC starts on the service's grid in the counsellor's windows of ``day``."""
    length = timedelta(minutes=demo.service.appointment_minutes)
    step = length + timedelta(minutes=demo.service.buffer_minutes)
    starts = []
    for opens, closes in who.windows.get(day.weekday(), []):
        wall, end = datetime.combine(day, opens), datetime.combine(day, closes)
        while wall + length <= end:
            starts.append(wall.replace(tzinfo=history.tz).astimezone(UTC))
            wall += step
    return starts


def _free_start(history: _History, day: date) -> tuple[_DemoService, _Counsellor, datetime] | None:
    """A random service live on ``day``, one of its counsellors and a free start, if any."""
    rng = history.rng
    live = [demo for demo in history.services if demo.service.live_from <= day]
    if not live:
        return None
    demo = rng.choice(live)
    on_duty = [who for who in demo.counsellors if day.weekday() in who.windows]
    if not on_duty:
        return None
    who = rng.choice(on_duty)
    busy_for = timedelta(minutes=demo.service.appointment_minutes + demo.service.buffer_minutes)
    taken = history.busy[who.staff_id]
    free = [
        start
        for start in _starts(history, day, demo, who)
        if not any(start < until and low < start + busy_for for low, until in taken)
    ]
    if not free:
        return None
    start = rng.choice(free)
    taken.append((start, start + busy_for))
    return demo, who, start


def _reference(history: _History) -> str:
    """A reference in the usual ``K7QX-3MPA`` form, not used before."""
    while True:
        chars = "".join(history.rng.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"{chars[:4]}-{chars[4:]}"
        if reference not in history.references:
            history.references.add(reference)
            return reference


def _citizen(rng: random.Random) -> dict[str, str | None]:
    """A made-up citizen with an address that can never be delivered (.invalid)."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    local = f"{first}.{last}".lower().replace(" ", "").replace("é", "e")
    phone = f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
    phone += f"{rng.randint(10, 99)}"
    return {
        "citizen_name": f"{first} {last}",
        "citizen_email": f"{local}@{CITIZEN_EMAIL_DOMAIN}",
        "citizen_phone": phone if rng.random() < PHONE_SHARE else None,
    }


def _weighted(rng: random.Random, weights: dict) -> object:
    """One key of ``weights``, drawn with those weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _result(history: _History, end: datetime, created: datetime, start: datetime) -> dict:
    """Status, outcome, note, cancellation and feedback of a past call."""
    rng, now = history.rng, history.now
    draw = rng.random()
    if draw < CANCELLED_SHARE:
        cancelled = created + (start - created) * rng.uniform(0.2, 0.95)
        reason = rng.choice(CANCEL_REASONS)
        return {
            "status": AppointmentStatus.CANCELLED.value,
            "cancel_reason": reason or None,
            "updated_at": cancelled,
            "sequence": 1,
        }
    if draw < CANCELLED_SHARE + NO_SHOW_SHARE:
        return {"status": AppointmentStatus.NO_SHOW.value, "updated_at": end}
    outcome = _weighted(rng, OUTCOME_WEIGHTS)
    completed = end + timedelta(minutes=rng.randint(1, 20))
    row = {
        "status": AppointmentStatus.COMPLETED.value,
        "outcome": outcome.value,
        "staff_note": NOTES[outcome] if rng.random() < 0.7 else None,
        "completed_at": completed,
        "updated_at": completed,
    }
    if rng.random() < FEEDBACK_SHARE:
        row["feedback_score"] = _weighted(rng, SCORE_WEIGHTS)
        row["feedback_at"] = min(completed + timedelta(minutes=rng.randint(5, 2880)), now)
        if rng.random() < COMMENT_SHARE:
            row["feedback_comment"] = rng.choice(COMMENTS)
    return row


def _history_row(history: _History, demo: _DemoService, who: _Counsellor, start: datetime) -> dict:
    """One past demo appointment as a row for a bulk insert."""
    rng, service = history.rng, demo.service
    end = start + timedelta(minutes=service.appointment_minutes)
    opened = datetime.combine(service.live_from - GO_LIVE_NOTICE, time(9), history.tz)
    lead = timedelta(days=rng.randint(1, 14), minutes=rng.randint(0, 600))
    created = max(start - lead, opened.astimezone(UTC))
    english = rng.random() < ENGLISH_SHARE
    nl, en = rng.choice(QUESTIONS.get(service.slug, (("Ik heb een vraag.", "I have a question."),)))
    room = "DigitaleBalie-" + base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")
    row = {
        "reference": _reference(history),
        "organisation_id": history.organisation.id,
        "service_id": service.id,
        "topic_id": rng.choice(demo.topic_ids),
        "staff_id": who.staff_id,
        "start_at": start,
        "end_at": end,
        "busy_until": end + timedelta(minutes=service.buffer_minutes),
        "channel": (
            BookingChannel.CONTACT_CENTRE
            if rng.random() < CONTACT_CENTRE_SHARE
            else BookingChannel.WEB
        ).value,
        "language": "en" if english else "nl",
        "question": en if english else nl,
        "consent_at": created,
        "manage_token_hash": token_hash(rng.randbytes(32).hex()),
        "idempotency_key": None,
        "meeting_provider": "jitsi",
        "meeting_external_id": room,
        "join_url": f"{JITSI_DEMO_BASE}/{room}",
        "meeting_state": MeetingState.READY.value,
        "is_demo": True,
        "created_at": created,
        **_citizen(rng),
    }
    moves = 1 if rng.random() < MOVED_SHARE else 0
    result = _result(history, end, created, start)
    row["calendar_sequence"] = moves + result.pop("sequence", 0)
    row.update(result)
    if end < history.now - history.retention:
        # As the (hourly) retention task would have left it: the personal data is gone.
        row.update(dict.fromkeys(ERASED_FIELDS))
        erased_at = end + history.retention + timedelta(minutes=rng.randint(1, 60))
        row["updated_at"] = max(row["updated_at"], min(erased_at, history.now))
    return row


def load_demo_history(
    session: Session, now: datetime | None = None, retention_days: int = 30
) -> int:
    """Add the made-up past calls (first go-live to yesterday, local time), and commit.

    Idempotent: nothing is added when any demo appointment exists. Never adds today's or
    future calls (the browser tests book those); no background jobs (no e-mails) are made.
    Returns the number of appointments added.
    """
    exists = session.exec(select(Appointment.id).where(Appointment.is_demo)).first()
    organisation = session.exec(select(Organisation).where(Organisation.slug == "gent")).first()
    if exists is not None or organisation is None:
        return 0
    now = now or utcnow()
    tz = ZoneInfo(organisation.time_zone)
    today = now.astimezone(tz).date()
    low = datetime.combine(FIRST_WAVE, time(0), tz).astimezone(UTC)
    high = datetime.combine(today, time(0), tz).astimezone(UTC)
    history = _History(
        organisation=organisation,
        tz=tz,
        now=now,
        retention=timedelta(days=retention_days),
        services=_catalogue(session, organisation),
        busy=_busy_times(session, organisation, low, high),
    )
    closed = holidays.country_holidays(
        organisation.holiday_country,
        subdiv=organisation.holiday_subdivision or None,
        years=range(FIRST_WAVE.year, today.year + 1),
    )
    rows = []
    monday = FIRST_WAVE - timedelta(days=FIRST_WAVE.weekday())
    while monday < today:
        days = _open_days(monday, today, closed)
        target = _weekly_target(monday, history.rng)
        for _ in range(round(target * len(days) / 5)):
            found = _free_start(history, history.rng.choice(days))
            if found is not None:
                rows.append(_history_row(history, *found))
        monday += timedelta(days=7)
    rows = _without_taken_references(session, history, rows)
    for row in rows:
        for column in HISTORY_COLUMNS:
            row.setdefault(column, None)
    if rows:
        session.connection().execute(insert(Appointment.__table__), rows)
    session.commit()
    return len(rows)


def _without_taken_references(session: Session, history: _History, rows: list[dict]) -> list[dict]:
    """Give a fresh reference to the (very unlikely) rows whose reference a real booking has."""
    taken = set(
        session.exec(
            select(Appointment.reference).where(
                Appointment.reference.in_([row["reference"] for row in rows])
            )
        ).all()
    )
    history.references |= taken
    for row in rows:
        if row["reference"] in taken:
            row["reference"] = _reference(history)
    return rows
