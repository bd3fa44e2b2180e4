"""E-mails and calendar invitations about appointments, and the mailers that send them.

Plain Python without Reflex or database access, so the pages, the HTTP API and background jobs
all send exactly the same messages. After a completed call, a short e-mail links to the survey.
"""

from __future__ import annotations

import html
import logging
import re
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from balie.i18n import format_moment, normalise_language
from balie.services import mime_build

if TYPE_CHECKING:
    from balie.settings import Settings

logger = logging.getLogger(__name__)

MessageKind = Literal["confirmation", "change", "cancellation", "reminder"]

ICS_FILENAME = "invite.ics"
IMPLICIT_TLS_PORT = 465
_ICS_LINE_OCTETS = 75
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")
_ICS_NEWLINES = re.compile(r"\r\n|\r|\n")
_ICS_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
NAME_MAX = 40  # characters of the citizen's name in a greeting
# Words of a typed name that a mail program could turn into a link: addresses, domains, URLs.
_LINK_LIKE = re.compile(r"(?i)(://|^www\.|@|\w[\w-]*\.[a-z]{2,}|^[a-z][a-z0-9+.-]*:\S)")


# Dutch at B1 level: short sentences, plain words, "je". English second.
_PHRASES: dict[str, dict[str, str]] = {
    "subject_confirmation": {
        "nl": "Bevestiging: je videogesprek met {service} op {when}",
        "en": "Confirmed: your video call with {service} on {when}",
    },
    "subject_change": {
        "nl": "Gewijzigd: je videogesprek met {service} op {when}",
        "en": "Changed: your video call with {service} on {when}",
    },
    "subject_cancellation": {
        "nl": "Geannuleerd: je videogesprek met {service} op {when}",
        "en": "Cancelled: your video call with {service} on {when}",
    },
    "subject_reminder": {
        "nl": "Herinnering: je videogesprek met {service} op {when}",
        "en": "Reminder: your video call with {service} on {when}",
    },
    "greeting": {"nl": "Beste {name},", "en": "Dear {name},"},
    "greeting_anonymous": {"nl": "Hallo,", "en": "Hello,"},
    "intro_confirmation": {
        "nl": "Je afspraak is gemaakt. Hieronder vind je alle informatie.",
        "en": "Your appointment is booked. You will find all the details below.",
    },
    "intro_change": {
        "nl": "Je afspraak is gewijzigd. Hieronder vind je de nieuwe informatie.",
        "en": "Your appointment has changed. You will find the new details below.",
    },
    "intro_reminder": {
        "nl": "Je hebt binnenkort een videogesprek met {organisation}. "
        "Hieronder vind je alle informatie.",
        "en": "You have a video call with {organisation} soon. "
        "You will find all the details below.",
    },
    "intro_cancellation": {
        "nl": "Je afspraak is geannuleerd. Het videogesprek gaat niet door.",
        "en": "Your appointment has been cancelled. The video call will not take place.",
    },
    "cancel_reason": {"nl": "Reden: {reason}", "en": "Reason: {reason}"},
    "book_again": {
        "nl": "Wil je toch een gesprek? Maak dan een nieuwe afspraak op onze website:",
        "en": "Do you still want a call? Then book a new appointment on our website:",
    },
    "book_again_label": {"nl": "Nieuwe afspraak maken", "en": "Book a new appointment"},
    "detail_when": {"nl": "Wanneer: {when}", "en": "When: {when}"},
    "detail_length": {"nl": "Duur: {minutes} minuten", "en": "Length: {minutes} minutes"},
    "detail_service": {
        "nl": "Dienst: {service} ({organisation})",
        "en": "Service: {service} ({organisation})",
    },
    "detail_topic": {"nl": "Onderwerp: {topic}", "en": "Topic: {topic}"},
    "detail_reference": {"nl": "Referentie: {reference}", "en": "Reference: {reference}"},
    "join": {
        "nl": "Zo neem je deel: klik een paar minuten voor het begin op deze link. "
        "Je hebt een computer, tablet of smartphone met camera en microfoon nodig.",
        "en": "How to join: click this link a few minutes before the start. "
        "You need a computer, tablet or smartphone with a camera and microphone.",
    },
    "join_label": {"nl": "Naar het videogesprek", "en": "Join the video call"},
    "join_pending": {
        "nl": "De link naar het gesprek volgt in een aparte e-mail. "
        "Je vindt de link ook via je persoonlijke link hieronder.",
        "en": "The link to the call follows in a separate e-mail. "
        "You can also find it through your personal link below.",
    },
    "preparation": {
        "nl": "Leg dit klaar voor het gesprek:\n{preparation}",
        "en": "Have this at hand for the call:\n{preparation}",
    },
    "manage": {
        "nl": "Wil je je afspraak bekijken, verplaatsen of annuleren? "
        "Gebruik deze persoonlijke link. Deel hem niet met anderen.",
        "en": "Do you want to view, move or cancel your appointment? "
        "Use this personal link. Do not share it with others.",
    },
    "manage_label": {"nl": "Mijn afspraak bekijken", "en": "View my appointment"},
    "not_requested": {
        "nl": "Niet door jou aangevraagd? Gebruik dan deze link. We annuleren de afspraak en "
        "sturen geen e-mails meer naar dit adres.",
        "en": "Not requested by you? Then use this link. We cancel the appointment and "
        "send no more e-mails to this address.",
    },
    "not_requested_label": {
        "nl": "Niet door mij aangevraagd",
        "en": "I did not request this",
    },
    "calendar_add": {
        "nl": "Zet het gesprek in je agenda met de bijlage invite.ics.",
        "en": "Add the call to your calendar with the attachment invite.ics.",
    },
    "calendar_remove": {
        "nl": "Haal het gesprek uit je agenda met de bijlage invite.ics.",
        "en": "Remove the call from your calendar with the attachment invite.ics.",
    },
    "closing": {
        "nl": "Met vriendelijke groeten\n{organisation}",
        "en": "Kind regards\n{organisation}",
    },
    "subject_survey": {
        "nl": "Hoe was je videogesprek met {service}?",
        "en": "How was your video call with {service}?",
    },
    "intro_survey": {
        "nl": "Bedankt voor je videogesprek met {service}. Hoe tevreden ben je? "
        "Het is maar één vraag. Je hebt geen account nodig.",
        "en": "Thank you for your video call with {service}. How satisfied are you? "
        "It is only one question. You do not need an account.",
    },
    "survey_once": {
        "nl": "Je kunt de vraag één keer beantwoorden. Antwoorden is niet verplicht.",
        "en": "You can answer the question once. Answering is optional.",
    },
    "survey_label": {"nl": "Geef je mening", "en": "Give your opinion"},
    "ics_summary": {"nl": "Videogesprek met {service}", "en": "Video call with {service}"},
    "ics_summary_cancelled": {
        "nl": "Geannuleerd: videogesprek met {service}",
        "en": "Cancelled: video call with {service}",
    },
}


@dataclass(frozen=True)
class AppointmentMessage:
    """Everything an e-mail or calendar invitation about one appointment needs."""

    reference: str
    organisation_name: str
    service_name: str
    topic_name: str
    preparation: str
    start: datetime
    end: datetime
    time_zone: str
    citizen_name: str
    citizen_email: str
    language: str
    join_url: str | None
    manage_url: str
    sequence: int
    cancel_reason: str = ""
    not_requested_url: str = ""
    one_click_url: str = ""


@dataclass(frozen=True)
class SurveyMessage:
    """Everything the survey e-mail after a completed call needs."""

    reference: str
    organisation_name: str
    service_name: str
    citizen_name: str
    citizen_email: str
    language: str
    survey_url: str


@dataclass(frozen=True)
class _Block:
    """One paragraph of an e-mail, optionally followed by a link."""

    text: str
    link: str = ""
    link_label: str = ""


def _phrase(key: str, language: str, **values: object) -> str:
    """A fixed sentence in ``language`` with ``values`` filled in."""
    return _PHRASES[key][language].format(**values)


def _as_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC; naive datetimes are refused, as in the database layer."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use an aware datetime (UTC)")
    return moment.astimezone(UTC)


def format_local_datetime(moment: datetime, time_zone: str, language: str) -> str:
    """A moment as 'maandag 30 maart 2026 om 09:00' / 'Monday 30 March 2026 at 09:00'."""
    return format_moment(_as_utc(moment).astimezone(ZoneInfo(time_zone)), language)


def _duration_minutes(message: AppointmentMessage) -> int:
    """Length of the appointment in whole minutes."""
    return int((_as_utc(message.end) - _as_utc(message.start)).total_seconds() // 60)


def _booking_url(manage_url: str) -> str:
    """The start page of the site, derived from the personal link (same scheme and host)."""
    parts = urlsplit(manage_url)
    if not parts.scheme or not parts.netloc:
        return manage_url
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def _detail_block(message: AppointmentMessage, language: str) -> _Block:
    """When, how long, which service and topic, and the reference."""
    lines = [
        _phrase(
            "detail_when",
            language,
            when=format_local_datetime(message.start, message.time_zone, language),
        ),
        _phrase("detail_length", language, minutes=_duration_minutes(message)),
        _phrase(
            "detail_service",
            language,
            service=message.service_name,
            organisation=message.organisation_name,
        ),
    ]
    if message.topic_name:
        lines.append(_phrase("detail_topic", language, topic=message.topic_name))
    lines.append(_phrase("detail_reference", language, reference=message.reference))
    return _Block("\n".join(lines))


def _meeting_blocks(message: AppointmentMessage, language: str) -> list[_Block]:
    """How to join (or that the link follows), what to prepare, and the personal link."""
    if message.join_url:
        blocks = [
            _Block(
                _phrase("join", language),
                message.join_url,
                _phrase("join_label", language),
            )
        ]
    else:
        blocks = [_Block(_phrase("join_pending", language))]
    preparation = message.preparation.strip()
    if preparation:
        blocks.append(_Block(_phrase("preparation", language, preparation=preparation)))
    blocks.append(
        _Block(_phrase("manage", language), message.manage_url, _phrase("manage_label", language))
    )
    return blocks


def _not_requested_block(message: AppointmentMessage, language: str) -> list[_Block]:
    """'Not requested by you?' with its link, when the message has one."""
    if not message.not_requested_url:
        return []
    return [
        _Block(
            _phrase("not_requested", language),
            message.not_requested_url,
            _phrase("not_requested_label", language),
        )
    ]


def _cancellation_blocks(message: AppointmentMessage, language: str) -> list[_Block]:
    """That the appointment was cancelled, why, and how to book again."""
    blocks = [_Block(_phrase("intro_cancellation", language))]
    if message.cancel_reason.strip():
        blocks.append(_Block(_phrase("cancel_reason", language, reason=message.cancel_reason)))
    blocks.append(
        _Block(
            _phrase("book_again", language),
            _booking_url(message.manage_url),
            _phrase("book_again_label", language),
        )
    )
    return blocks


def _email_blocks(kind: MessageKind, message: AppointmentMessage, language: str) -> list[_Block]:
    """All paragraphs of the e-mail body, in order."""
    blocks = [_greeting(message.citizen_name, language)]
    if kind == "cancellation":
        blocks += _cancellation_blocks(message, language)
        blocks.append(_detail_block(message, language))
        blocks.append(_Block(_phrase("calendar_remove", language)))
    else:
        intro = _phrase(f"intro_{kind}", language, organisation=message.organisation_name)
        blocks.append(_Block(intro))
        blocks.append(_detail_block(message, language))
        blocks += _meeting_blocks(message, language)
        blocks.append(_Block(_phrase("calendar_add", language)))
        blocks += _not_requested_block(message, language)
    blocks.append(_Block(_phrase("closing", language, organisation=message.organisation_name)))
    return blocks


def _render_text(blocks: list[_Block]) -> str:
    """The plain-text body: paragraphs separated by a blank line, links on their own line."""
    paragraphs = [f"{block.text}\n{block.link}" if block.link else block.text for block in blocks]
    return "\n\n".join(paragraphs) + "\n"


def _link_html(url: str, label: str) -> str:
    """A link to an http(s) address, or the escaped address as text for any other scheme."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return html.escape(url)
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(label or url)}</a>'


def _block_html(block: _Block) -> str:
    """One paragraph as HTML; every text is escaped."""
    body = html.escape(block.text).replace("\n", "<br>\n")
    if block.link:
        body += "<br>\n" + _link_html(block.link, block.link_label)
    return f"<p>{body}</p>"


def _render_html(blocks: list[_Block], subject: str, language: str) -> str:
    """A simple HTML document with the same paragraphs as the text body."""
    paragraphs = "\n".join(_block_html(block) for block in blocks)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}">\n'
        f'<head><meta charset="utf-8"><title>{html.escape(subject)}</title></head>\n'
        '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5;">\n'
        f"{paragraphs}\n"
        "</body>\n</html>\n"
    )


def _header_safe(value: str) -> str:
    """A header value without CR, LF or other control characters (no header injection)."""
    return _CONTROL_CHARACTERS.sub(" ", value).strip()


def safe_name(name: str) -> str:
    """The citizen's typed name as mail may show it: no control characters, nothing a mail
    program turns into a link, only letters and the marks names use, at most 40 characters."""
    words = []
    for word in _CONTROL_CHARACTERS.sub(" ", name or "").split():
        if _LINK_LIKE.search(word):
            continue
        kept = "".join(ch for ch in word if ch.isalpha() or ch in "-'’.")
        if any(ch.isalpha() for ch in kept):
            words.append(kept)
    cleaned = ""
    for word in words:
        longer = f"{cleaned} {word}".strip()
        if len(longer) > NAME_MAX:
            break
        cleaned = longer
    return cleaned or (words[0][:NAME_MAX] if words else "")


def _recipient(message: AppointmentMessage | SurveyMessage) -> Address:
    """The citizen's address only: a display name would put their free text in the header."""
    return Address(addr_spec=_header_safe(message.citizen_email))


def _ics_text(value: str) -> str:
    """A TEXT value escaped per RFC 5545 3.3.11 (backslash, semicolon, comma, newline)."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    escaped = _ICS_NEWLINES.sub("\\\\n", escaped)
    return _ICS_FORBIDDEN.sub("", escaped)


def _ics_param(value: str) -> str:
    """A quoted parameter value; double quotes and control characters cannot appear in one."""
    return '"' + _CONTROL_CHARACTERS.sub(" ", value).replace('"', "'").strip() + '"'


def _ics_uri(value: str) -> str:
    """A URI value without control characters or spaces that would break the content line."""
    return _CONTROL_CHARACTERS.sub("", value).strip().replace(" ", "%20")


def _ics_utc(moment: datetime) -> str:
    """A date-time in UTC form, e.g. 20260615T070000Z."""
    return _as_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    if line.isascii():
        # One octet per character: the same cuts as below, by slicing.
        if len(line) <= _ICS_LINE_OCTETS:
            return line
        rest = _ICS_LINE_OCTETS - 1  # a continuation line starts with a space
        tail = range(_ICS_LINE_OCTETS, len(line), rest)
        return "\r\n ".join([line[:_ICS_LINE_OCTETS], *(line[i : i + rest] for i in tail)])
    pieces: list[str] = []
    current, size = "", 0
    for character in line:
        width = len(character.encode("utf-8"))
        if size + width > _ICS_LINE_OCTETS:
            pieces.append(current)
            current, size = " ", 1
        current += character
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def _ics_description(message: AppointmentMessage, language: str, *, cancelled: bool) -> str:
    """The event description: details plus join link, preparation and personal link."""
    blocks = [_detail_block(message, language)]
    blocks += (
        _cancellation_blocks(message, language) if cancelled else _meeting_blocks(message, language)
    )
    return _render_text(blocks).strip()


def _organiser_address(sender: str, uid_domain: str) -> str:
    """The e-mail address of the sender, or a no-reply address on the UID domain."""
    address = parseaddr(_header_safe(sender))[1]
    return address or f"noreply@{uid_domain}"


def _ics_lines(
    message: AppointmentMessage, *, cancelled: bool, uid_domain: str, sender: str
) -> list[str]:
    """The unfolded content lines of the calendar object."""
    language = normalise_language(message.language)
    summary_key = "ics_summary_cancelled" if cancelled else "ics_summary"
    summary = _phrase(summary_key, language, service=message.service_name)
    description = _ics_description(message, language, cancelled=cancelled)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Digitale Balie//Appointments//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{_ics_text(f'{message.reference}@{uid_domain}')}",
        f"SEQUENCE:{int(message.sequence)}",
        f"DTSTAMP:{_ics_utc(datetime.now(UTC))}",
        f"DTSTART:{_ics_utc(message.start)}",
        f"DTEND:{_ics_utc(message.end)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"DESCRIPTION:{_ics_text(description)}",
    ]
    if message.join_url:
        lines.append(f"URL:{_ics_uri(message.join_url)}")
        lines.append(f"LOCATION:{_ics_text(message.join_url)}")
    lines += [
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        f"ORGANIZER;CN={_ics_param(message.organisation_name)}:"
        f"mailto:{_ics_uri(_organiser_address(sender, uid_domain))}",
        # The citizen chose the time, so the invitation needs no answer.
        f"ATTENDEE;CN={_ics_param(safe_name(message.citizen_name))};ROLE=REQ-PARTICIPANT;"
        f"PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:{_ics_uri(message.citizen_email)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return lines


def build_ics(
    message: AppointmentMessage, *, cancelled: bool, uid_domain: str, sender: str = ""
) -> str:
    """An iCalendar (RFC 5545) invitation or cancellation for the appointment, CRLF and folded."""
    lines = _ics_lines(message, cancelled=cancelled, uid_domain=uid_domain, sender=sender)
    return "".join(_fold(line) + "\r\n" for line in lines)


def build_email(
    kind: MessageKind, message: AppointmentMessage, *, sender: str, uid_domain: str
) -> EmailMessage:
    """The e-mail about the appointment: text, HTML alternative and invite.ics attached."""
    language = normalise_language(message.language)
    when = format_local_datetime(message.start, message.time_zone, language)
    subject = _phrase(f"subject_{kind}", language, service=message.service_name, when=when)
    blocks = _email_blocks(kind, message, language)
    cancelled = kind == "cancellation"

    headers = _common_headers(subject, sender, message, uid_domain)
    if message.one_click_url:
        # RFC 8058: a mail program may offer one-click "unsubscribe"; here that also cancels.
        headers.append(("List-Unsubscribe", f"<{_header_safe(message.one_click_url)}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    ics = build_ics(message, cancelled=cancelled, uid_domain=uid_domain, sender=sender)
    # Base64 keeps the CRLF line ends of the calendar object byte for byte.
    invite = mime_build.Part(
        "text/calendar",
        params=(
            ("method", "CANCEL" if cancelled else "REQUEST"),
            ("charset", "utf-8"),
            ("name", ICS_FILENAME),
        ),
        data=ics.encode("utf-8"),
        filename=ICS_FILENAME,
    )
    return mime_build.assemble(
        headers,
        _alternatives(blocks, subject, language),
        (invite,),
        trailing=(("Content-Language", language),),
    )


def _common_headers(
    subject: str, sender: str, message: AppointmentMessage | SurveyMessage, uid_domain: str
) -> list[tuple[str, str]]:
    """Subject, sender, recipient, date, id and the auto-generated mark of every e-mail."""
    return [
        ("Subject", _header_safe(subject)),
        ("From", _header_safe(sender)),
        ("To", str(_recipient(message))),
        ("Date", format_datetime(datetime.now(UTC))),
        ("Message-ID", make_msgid(domain=_header_safe(uid_domain) or None)),
        ("Auto-Submitted", "auto-generated"),
    ]


def _alternatives(blocks: list[_Block], subject: str, language: str) -> list[mime_build.Part]:
    """The plain-text body and its HTML alternative."""
    return [
        mime_build.Part("text/plain", text=_render_text(blocks)),
        mime_build.Part("text/html", text=_render_html(blocks, subject, language)),
    ]


def _greeting(citizen_name: str, language: str) -> _Block:
    """The greeting: with the citizen's (cleaned) name, or a plain hello without one."""
    name = safe_name(citizen_name)
    if name:
        return _Block(_phrase("greeting", language, name=name))
    return _Block(_phrase("greeting_anonymous", language))


def build_survey_email(message: SurveyMessage, *, sender: str, uid_domain: str) -> EmailMessage:
    """The short e-mail with the link to the one-question survey (text and HTML)."""
    language = normalise_language(message.language)
    subject = _phrase("subject_survey", language, service=message.service_name)
    blocks = [
        _greeting(message.citizen_name, language),
        _Block(
            _phrase("intro_survey", language, service=message.service_name),
            message.survey_url,
            _phrase("survey_label", language),
        ),
        _Block(_phrase("survey_once", language)),
        _Block(_phrase("detail_reference", language, reference=message.reference)),
        _Block(_phrase("closing", language, organisation=message.organisation_name)),
    ]
    return mime_build.assemble(
        _common_headers(subject, sender, message, uid_domain),
        _alternatives(blocks, subject, language),
        trailing=(("Content-Language", language),),
    )


class Mailer(Protocol):
    """Something that delivers e-mails."""

    def send(self, message: EmailMessage) -> str:
        """Deliver ``message``; return an id or path for logging."""
        ...


class SmtpMailer:
    """Sends e-mails through an SMTP server (STARTTLS when asked; login when a user is set)."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        timeout: float = 15,
    ) -> None:
        """Remember how to reach the SMTP server; nothing is opened yet."""
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        """A connection to the server; port 465 speaks TLS from the first byte."""
        if self.port == IMPLICIT_TLS_PORT:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _secure(self, smtp: smtplib.SMTP) -> None:
        """Switch to TLS when asked; refuse to go on in clear text if the server cannot."""
        smtp.ehlo()
        if not self.starttls or isinstance(smtp, smtplib.SMTP_SSL):
            return
        if not smtp.has_extn("starttls"):
            # Falling back silently would send personal data (and the password) unencrypted.
            raise smtplib.SMTPNotSupportedError(
                f"SMTP server {self.host}:{self.port} does not offer STARTTLS; "
                "set BALIE_SMTP_STARTTLS=false to send without encryption."
            )
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()

    def send(self, message: EmailMessage) -> str:
        """Deliver ``message`` and return its Message-ID."""
        message_id = str(message.get("Message-ID", ""))
        with self._connect() as smtp:
            self._secure(smtp)
            if self.username:
                smtp.login(self.username, self.password)
            refused = smtp.send_message(message)
        if refused:
            logger.warning("SMTP server refused %d recipient(s) of %s", len(refused), message_id)
        logger.info("E-mail %s sent through %s:%s", message_id, self.host, self.port)
        return message_id


class OutboxMailer:
    """Writes e-mails as .eml files to a folder instead of sending them (development)."""

    def __init__(self, directory: Path) -> None:
        """Use ``directory`` as the outbox; it is created on the first send."""
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> str:
        """Write ``message`` as <timestamp>-<uuid>.eml and return the file's path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex}.eml"
        # Write then rename, so whoever watches the folder never reads half a message.
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(message.as_bytes())
        partial.replace(path)
        logger.info("E-mail written to %s", path)
        return str(path)


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when BALIE_SMTP_HOST is set, else the outbox folder."""
    if settings.smtp_host:
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            starttls=settings.smtp_starttls,
        )
    return OutboxMailer(settings.outbox_dir)
