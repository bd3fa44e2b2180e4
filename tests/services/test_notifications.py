"""E-mails and calendar invitations: iCalendar text, e-mail content, escaping and the mailers."""

from __future__ import annotations

import dataclasses
import smtplib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from balie.services.notifications import (
    AppointmentMessage,
    OutboxMailer,
    SmtpMailer,
    build_email,
    build_ics,
    mailer_from_settings,
)
from balie.settings import Settings

BRUSSELS = ZoneInfo("Europe/Brussels")
SENDER = "Stad Gent <noreply@balie.gent.be>"
UID_DOMAIN = "balie.gent.be"
JOIN_URL = "https://meet.jit.si/gent-GNT-7K3Q9P-a81f"
MANAGE_URL = "https://balie.gent.be/afspraak/beheer/tok3n"


def brussels(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Brussels as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS).astimezone(UTC)


def appointment(**changes: object) -> AppointmentMessage:
    """A Dutch appointment on Monday 15 June 2026 at 09:00 Brussels time, with ``changes``."""
    start = brussels(2026, 6, 15, 9)
    message = AppointmentMessage(
        reference="GNT-7K3Q9P",
        organisation_name="Stad Gent",
        service_name="Woonwijzer",
        topic_name="Huurpremie",
        preparation="Je huurcontract en je laatste aanslagbiljet.",
        start=start,
        end=start + timedelta(minutes=30),
        time_zone="Europe/Brussels",
        citizen_name="An Peeters",
        citizen_email="an.peeters@example.org",
        language="nl",
        join_url=JOIN_URL,
        manage_url=MANAGE_URL,
        sequence=0,
    )
    return dataclasses.replace(message, **changes)


# --- a small iCalendar reader, written from RFC 5545 so the tests do not trust the code ---


def content_lines(ics: str) -> list[str]:
    """Check CRLF line ends and the 75-octet limit, then unfold into logical lines."""
    assert ics.endswith("\r\n")
    physical = ics[: -len("\r\n")].split("\r\n")
    for line in physical:
        assert "\n" not in line and "\r" not in line, f"bare line break in {line!r}"
        assert len(line.encode("utf-8")) <= 75, f"line longer than 75 octets: {line!r}"
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def split_content_line(line: str) -> tuple[str, dict[str, str], str]:
    """Name, parameters and raw value of one content line (colons in quotes are no separator)."""
    in_quotes = False
    for index, character in enumerate(line):
        if character == '"':
            in_quotes = not in_quotes
        elif character == ":" and not in_quotes:
            head, value = line[:index], line[index + 1 :]
            break
    else:
        raise AssertionError(f"no value in {line!r}")
    name, *raw_params = head.split(";")
    params = dict(param.split("=", 1) for param in raw_params)
    return name.upper(), params, value


def unescape_text(value: str) -> str:
    """The text of an escaped TEXT value (RFC 5545 3.3.11)."""
    result, index = [], 0
    while index < len(value):
        character = value[index]
        if character == "\\":
            following = value[index + 1]
            result.append("\n" if following in "nN" else following)
            index += 2
        else:
            assert character not in ",;", f"unescaped {character!r} in {value!r}"
            result.append(character)
            index += 1
    return "".join(result)


@dataclass
class Calendar:
    """The parts of a parsed calendar object that the tests look at."""

    properties: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, tuple[dict[str, str], str]]] = field(default_factory=list)


def parse_ics(ics: str) -> Calendar:
    """Parse a VCALENDAR with its VEVENTs, checking that BEGIN and END match."""
    calendar, stack = Calendar(), []
    for line in content_lines(ics):
        name, params, value = split_content_line(line)
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                calendar.events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack == ["VCALENDAR"]:
            calendar.properties[name] = value
        elif stack == ["VCALENDAR", "VEVENT"]:
            calendar.events[-1][name] = (params, value)
    assert stack == []
    return calendar


def event_of(ics: str) -> dict[str, tuple[dict[str, str], str]]:
    """The single VEVENT of a calendar object."""
    calendar = parse_ics(ics)
    assert calendar.properties["VERSION"] == "2.0"
    assert calendar.properties["PRODID"]
    assert len(calendar.events) == 1
    return calendar.events[0]


def value(event: dict[str, tuple[dict[str, str], str]], name: str) -> str:
    """The raw value of a property of the event."""
    return event[name][1]


# --- iCalendar ---


def test_invitation_is_a_request_with_a_stable_uid() -> None:
    first = build_ics(appointment(sequence=0), cancelled=False, uid_domain=UID_DOMAIN)
    later = build_ics(appointment(sequence=3), cancelled=False, uid_domain=UID_DOMAIN)
    assert parse_ics(first).properties["METHOD"] == "REQUEST"
    first_event, later_event = event_of(first), event_of(later)
    assert value(first_event, "UID") == "GNT-7K3Q9P@balie.gent.be"
    assert value(later_event, "UID") == value(first_event, "UID")
    assert value(first_event, "SEQUENCE") == "0"
    assert value(later_event, "SEQUENCE") == "3"
    assert value(first_event, "STATUS") == "CONFIRMED"
    assert value(first_event, "DTSTAMP").endswith("Z")
    assert value(first_event, "URL") == JOIN_URL
    assert unescape_text(value(first_event, "LOCATION")) == JOIN_URL


@pytest.mark.parametrize(
    ("local_start", "expected_start", "expected_end"),
    [
        (datetime(2026, 6, 15, 9, 0, tzinfo=BRUSSELS), "20260615T070000Z", "20260615T073000Z"),
        (datetime(2026, 1, 12, 9, 0, tzinfo=BRUSSELS), "20260112T080000Z", "20260112T083000Z"),
        # The first Monday after the switch to summer time (29 March 2026).
        (datetime(2026, 3, 30, 9, 0, tzinfo=BRUSSELS), "20260330T070000Z", "20260330T073000Z"),
    ],
)
def test_times_are_written_in_utc(
    local_start: datetime, expected_start: str, expected_end: str
) -> None:
    message = appointment(start=local_start, end=local_start + timedelta(minutes=30))
    event = event_of(build_ics(message, cancelled=False, uid_domain=UID_DOMAIN))
    assert value(event, "DTSTART") == expected_start
    assert value(event, "DTEND") == expected_end
    assert event["DTSTART"][0] == {}, "a UTC time carries no TZID"


def test_cancellation_cancels_the_same_event() -> None:
    booked = event_of(build_ics(appointment(), cancelled=False, uid_domain=UID_DOMAIN))
    ics = build_ics(
        appointment(sequence=2, cancel_reason="De adviseur is ziek."),
        cancelled=True,
        uid_domain=UID_DOMAIN,
    )
    assert parse_ics(ics).properties["METHOD"] == "CANCEL"
    event = event_of(ics)
    assert value(event, "STATUS") == "CANCELLED"
    assert value(event, "UID") == value(booked, "UID")
    assert value(event, "SEQUENCE") == "2"
    assert "De adviseur is ziek." in unescape_text(value(event, "DESCRIPTION"))


def test_organiser_is_the_organisation_with_the_sender_address() -> None:
    ics = build_ics(appointment(), cancelled=False, uid_domain=UID_DOMAIN, sender=SENDER)
    params, organiser = event_of(ics)["ORGANIZER"]
    assert organiser == "mailto:noreply@balie.gent.be"
    assert params["CN"] == '"Stad Gent"'
    assert value(event_of(ics), "ATTENDEE") == "mailto:an.peeters@example.org"


def test_text_values_are_escaped_and_long_lines_folded() -> None:
    preparation = (
        "Identiteitskaart, rekeningnummer; laatste factuur\nen een back\\slash. "
        + "Één overzicht van je energieverbruik in € per maand, " * 4
    )
    message = appointment(service_name="Milieu, Klimaat; Geluid", preparation=preparation)
    ics = build_ics(message, cancelled=False, uid_domain=UID_DOMAIN)
    assert "Identiteitskaart\\, rekeningnummer\\; laatste factuur\\nen een back\\\\slash" in (
        "".join(content_lines(ics))
    )
    event = event_of(ics)
    assert unescape_text(value(event, "SUMMARY")) == "Videogesprek met Milieu, Klimaat; Geluid"
    description = unescape_text(value(event, "DESCRIPTION"))
    assert preparation.strip() in description
    assert JOIN_URL in description
    assert MANAGE_URL in description
    assert len(ics.split("\r\n")) > len(content_lines(ics)), "the long description is folded"


def test_description_says_the_link_follows_when_there_is_none_yet() -> None:
    event = event_of(build_ics(appointment(join_url=None), cancelled=False, uid_domain=UID_DOMAIN))
    assert "URL" not in event
    assert "LOCATION" not in event
    assert "De link naar het gesprek volgt in een aparte e-mail." in unescape_text(
        value(event, "DESCRIPTION")
    )


# --- e-mail content ---


def round_trip(message: EmailMessage) -> EmailMessage:
    """The message as a mail program would read it after transport."""
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def subject_of(message: EmailMessage) -> str:
    """The subject as a mail program shows it.

    Python's folder moves a subject of 70-77 characters to its own continuation line, and
    Python's parser then keeps the folding space in front; mail programs drop it.
    """
    return str(message["Subject"]).strip()


def text_of(message: EmailMessage) -> str:
    """The plain-text body."""
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    """The HTML body."""
    return message.get_body(("html",)).get_content()


def calendar_part(message: EmailMessage) -> EmailMessage:
    """The one text/calendar attachment."""
    parts = [
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    assert len(parts) == 1
    return parts[0]


def calendar_text(part: EmailMessage) -> str:
    """The calendar object in an attachment, octet for octet."""
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def build(kind: str, message: AppointmentMessage) -> EmailMessage:
    """Build an e-mail and read it back as a receiver would."""
    return round_trip(build_email(kind, message, sender=SENDER, uid_domain=UID_DOMAIN))


def test_dutch_confirmation() -> None:
    mail = build("confirmation", appointment())
    assert subject_of(mail) == (
        "Bevestiging: je videogesprek met Woonwijzer op maandag 15 juni 2026 om 09:00"
    )
    assert [address.addr_spec for address in mail["To"].addresses] == ["an.peeters@example.org"]
    assert mail["From"].addresses[0].addr_spec == "noreply@balie.gent.be"
    text = text_of(mail)
    assert "Beste An Peeters," in text
    assert "Je afspraak is gemaakt." in text
    assert "Wanneer: maandag 15 juni 2026 om 09:00" in text
    assert "Duur: 30 minuten" in text
    assert "Onderwerp: Huurpremie" in text
    assert "Referentie: GNT-7K3Q9P" in text
    assert f"klik een paar minuten voor het begin op deze link.{' '}" in text
    assert JOIN_URL in text
    assert "Leg dit klaar voor het gesprek:\nJe huurcontract" in text
    assert MANAGE_URL in text
    assert "volgt in een aparte e-mail" not in text
    html = html_of(mail)
    assert f'href="{JOIN_URL}"' in html
    assert f'href="{MANAGE_URL}"' in html
    assert '<html lang="nl">' in html
    assert mail["Content-Language"] == "nl"


def test_english_confirmation() -> None:
    mail = build("confirmation", appointment(language="en", service_name="Housing Advice"))
    assert subject_of(mail) == (
        "Confirmed: your video call with Housing Advice on Monday 15 June 2026 at 09:00"
    )
    text = text_of(mail)
    assert "Dear An Peeters," in text
    assert mail["Content-Language"] == "en"
    assert "Your appointment is booked." in text
    assert "When: Monday 15 June 2026 at 09:00" in text
    assert "Have this at hand for the call:" in text
    assert JOIN_URL in text
    assert "Do you want to view, move or cancel your appointment?" in text


@pytest.mark.parametrize(
    ("local_start", "expected"),
    [
        (datetime(2026, 1, 12, 9, 0, tzinfo=BRUSSELS), "maandag 12 januari 2026 om 09:00"),
        (datetime(2026, 3, 30, 9, 0, tzinfo=BRUSSELS), "maandag 30 maart 2026 om 09:00"),
        (datetime(2026, 10, 25, 14, 5, tzinfo=BRUSSELS), "zondag 25 oktober 2026 om 14:05"),
    ],
)
def test_local_time_is_shown_in_the_organisation_time_zone(
    local_start: datetime, expected: str
) -> None:
    start = local_start.astimezone(UTC)
    mail = build("reminder", appointment(start=start, end=start + timedelta(minutes=45)))
    assert subject_of(mail) == f"Herinnering: je videogesprek met Woonwijzer op {expected}"
    assert f"Wanneer: {expected}" in text_of(mail)
    assert "Duur: 45 minuten" in text_of(mail)


def test_the_link_follows_when_the_meeting_is_not_ready() -> None:
    for language, sentence in (
        ("nl", "De link naar het gesprek volgt in een aparte e-mail."),
        ("en", "The link to the call follows in a separate e-mail."),
    ):
        mail = build("confirmation", appointment(join_url=None, language=language))
        assert sentence in text_of(mail)
        assert MANAGE_URL in text_of(mail)
        assert "meet.jit.si" not in mail.as_string()


def test_change_and_reminder_carry_the_join_link_and_a_request() -> None:
    for kind, subject_start in (("change", "Gewijzigd:"), ("reminder", "Herinnering:")):
        mail = build(kind, appointment(sequence=1))
        assert subject_of(mail).startswith(subject_start)
        assert JOIN_URL in text_of(mail)
        part = calendar_part(mail)
        assert part.get_param("method") == "REQUEST"
        assert value(event_of(calendar_text(part)), "SEQUENCE") == "1"


def test_cancellation_email() -> None:
    mail = build("cancellation", appointment(sequence=1, cancel_reason="De adviseur is ziek."))
    assert subject_of(mail) == (
        "Geannuleerd: je videogesprek met Woonwijzer op maandag 15 juni 2026 om 09:00"
    )
    text = text_of(mail)
    assert "Je afspraak is geannuleerd." in text
    assert "Reden: De adviseur is ziek." in text
    assert "Maak dan een nieuwe afspraak op onze website:\nhttps://balie.gent.be/" in text
    assert JOIN_URL not in text, "a cancelled call has no join link"
    part = calendar_part(mail)
    assert part.get_param("method") == "CANCEL"
    ics = calendar_text(part)
    assert parse_ics(ics).properties["METHOD"] == "CANCEL"
    assert value(event_of(ics), "STATUS") == "CANCELLED"


def test_cancellation_without_reason_has_no_reason_line() -> None:
    text = text_of(build("cancellation", appointment(language="en")))
    assert "Your appointment has been cancelled." in text
    assert "Reason:" not in text
    assert "Do you still want a call?" in text


def test_every_kind_attaches_the_invitation() -> None:
    for kind in ("confirmation", "change", "cancellation", "reminder"):
        part = calendar_part(build(kind, appointment()))
        assert part.get_filename() == "invite.ics"
        assert part.get_param("name") == "invite.ics"
        event = event_of(calendar_text(part))
        assert value(event, "UID") == "GNT-7K3Q9P@balie.gent.be"


# --- injection ---


def test_html_injection_is_escaped() -> None:
    mail = build(
        "confirmation",
        appointment(
            citizen_name="<script>alert(1)</script>",
            service_name="Milieu & Klimaat",
            preparation='<img src=x onerror="alert(2)">',
            join_url='https://meet.example/x"onmouseover="alert(3)',
        ),
    )
    html = html_of(mail)
    assert "<script>" not in html
    assert "alert(1)" not in html  # the name is cleaned, then escaped like every text
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
    assert "Milieu &amp; Klimaat" in html
    assert '"onmouseover=' not in html
    assert "&quot;onmouseover=&quot;" in html


def test_only_web_links_become_html_links() -> None:
    html = html_of(build("confirmation", appointment(join_url="javascript:alert(1)")))
    assert 'href="javascript:' not in html


def test_header_injection_is_neutralised() -> None:
    raw = build_email(
        "confirmation",
        appointment(
            citizen_name="An\r\nBcc: attacker@example.com",
            service_name="Woonwijzer\nX-Injected: yes",
        ),
        sender=SENDER,
        uid_domain=UID_DOMAIN,
    ).as_bytes()
    top_headers = raw.split(b"\n\n", 1)[0].split(b"\n")
    header_names = {line.split(b":", 1)[0].lower() for line in top_headers if b":" in line}
    assert b"bcc" not in header_names
    assert b"x-injected" not in header_names
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["Bcc"] is None
    assert mail["X-Injected"] is None
    assert [address.addr_spec for address in mail["To"].addresses] == ["an.peeters@example.org"]
    assert "\n" not in mail["Subject"]
    assert "Woonwijzer X-Injected: yes" in subject_of(mail)


@pytest.mark.parametrize(
    "citizen_email",
    ["an@example.org, attacker@example.com", "an@example.org\r\nBcc: attacker@example.com"],
)
def test_an_address_list_is_refused(citizen_email: str) -> None:
    with pytest.raises(ValueError):
        build_email(
            "confirmation",
            appointment(citizen_email=citizen_email),
            sender=SENDER,
            uid_domain=UID_DOMAIN,
        )


def test_naive_times_are_refused() -> None:
    naive = datetime(2026, 6, 15, 7, 0)
    with pytest.raises(ValueError, match="naive"):
        build_ics(appointment(start=naive), cancelled=False, uid_domain=UID_DOMAIN)


# --- mailers ---


class CollectingHandler:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        """Start with no messages."""
        self.envelopes: list = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        """Keep the envelope and accept it."""
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class RecordingAuthenticator:
    """Accepts one user name and password and remembers who logged in."""

    def __init__(self) -> None:
        """Nobody has logged in yet."""
        self.logins: list[str] = []

    def __call__(
        self, server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        """Check the login against balie / s3cret."""
        assert isinstance(data, LoginPassword)
        ok = data.login == b"balie" and data.password == b"s3cret"
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)


def free_port() -> int:
    """A TCP port on the loopback interface that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpServer:
    """A running test SMTP server."""

    port: int
    handler: CollectingHandler
    authenticator: RecordingAuthenticator


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 that collects messages (login allowed without TLS)."""
    handler, authenticator = CollectingHandler(), RecordingAuthenticator()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield SmtpServer(port, handler, authenticator)
    finally:
        controller.stop()


def test_smtp_mailer_delivers_to_a_real_server(smtp_server: SmtpServer) -> None:
    mail = build_email("confirmation", appointment(), sender=SENDER, uid_domain=UID_DOMAIN)
    mailer = SmtpMailer("127.0.0.1", smtp_server.port, starttls=False)
    returned = mailer.send(mail)
    assert returned == mail["Message-ID"]
    assert len(smtp_server.handler.envelopes) == 1
    envelope = smtp_server.handler.envelopes[0]
    assert envelope.mail_from == "noreply@balie.gent.be"
    assert envelope.rcpt_tos == ["an.peeters@example.org"]
    received = message_from_bytes(envelope.content, policy=policy.default)
    assert subject_of(received) == subject_of(mail)
    assert [address.addr_spec for address in received["To"].addresses] == ["an.peeters@example.org"]
    part = calendar_part(received)
    assert part.get_param("method") == "REQUEST"
    event = event_of(calendar_text(part))
    assert value(event, "UID") == "GNT-7K3Q9P@balie.gent.be"
    assert value(event, "DTSTART") == "20260615T070000Z"
    assert smtp_server.authenticator.logins == []


def test_smtp_mailer_logs_in_when_a_user_is_set(smtp_server: SmtpServer) -> None:
    mail = build_email("reminder", appointment(), sender=SENDER, uid_domain=UID_DOMAIN)
    SmtpMailer("127.0.0.1", smtp_server.port, "balie", "s3cret", starttls=False).send(mail)
    assert smtp_server.authenticator.logins == ["balie"]
    assert len(smtp_server.handler.envelopes) == 1


def test_smtp_mailer_refuses_clear_text_when_starttls_is_asked(smtp_server: SmtpServer) -> None:
    mail = build_email("confirmation", appointment(), sender=SENDER, uid_domain=UID_DOMAIN)
    with pytest.raises(smtplib.SMTPNotSupportedError, match="STARTTLS"):
        SmtpMailer("127.0.0.1", smtp_server.port, "balie", "s3cret", starttls=True).send(mail)
    assert smtp_server.handler.envelopes == []
    assert smtp_server.authenticator.logins == []


def test_outbox_mailer_writes_a_readable_eml(tmp_path: Path) -> None:
    outbox = tmp_path / "data" / "outbox"
    mailer = OutboxMailer(outbox)
    first = Path(
        mailer.send(
            build_email("confirmation", appointment(), sender=SENDER, uid_domain=UID_DOMAIN)
        )
    )
    second = Path(
        mailer.send(
            build_email("cancellation", appointment(), sender=SENDER, uid_domain=UID_DOMAIN)
        )
    )
    assert first.parent == outbox
    assert first.suffix == ".eml"
    assert first != second
    assert sorted(outbox.iterdir()) == sorted([first, second])
    saved = message_from_bytes(first.read_bytes(), policy=policy.default)
    assert subject_of(saved).startswith("Bevestiging:")
    assert JOIN_URL in text_of(saved)
    assert parse_ics(calendar_text(calendar_part(saved))).properties["METHOD"] == "REQUEST"


def test_mailer_follows_the_settings(tmp_path: Path) -> None:
    outbox = mailer_from_settings(Settings(_env_file=None, smtp_host="", outbox_dir=tmp_path))
    assert isinstance(outbox, OutboxMailer)
    assert outbox.directory == tmp_path
    smtp = mailer_from_settings(
        Settings(
            _env_file=None,
            smtp_host="smtp.gent.be",
            smtp_port=2525,
            smtp_username="balie",
            smtp_password="s3cret",
            smtp_starttls=False,
        )
    )
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port, smtp.username, smtp.password, smtp.starttls) == (
        "smtp.gent.be",
        2525,
        "balie",
        "s3cret",
        False,
    )
