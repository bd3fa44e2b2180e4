"""Checks on what a citizen types; errors are message keys that the UI and API translate."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from balie.i18n import LANGUAGES

NAME_MAX = 200
EMAIL_MAX = 254
QUESTION_MAX = 1000


@dataclass(frozen=True)
class CitizenDetails:
    """Validated details of the citizen who books."""

    name: str
    email: str
    phone: str | None
    language: str
    question: str | None
    consent: bool


def _clean_text(value: Any) -> str:
    """A string without control characters (newlines kept) and outer whitespace."""
    if not isinstance(value, str):
        return ""
    kept = (ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return "".join(kept).strip()


def check_name(value: Any) -> tuple[str, str | None]:
    """The cleaned name and an error key, if any."""
    name = " ".join(_clean_text(value).split())
    if len(name) < 2:
        return name, "error_name_required"
    if len(name) > NAME_MAX:
        return name, "error_name_too_long"
    return name, None


def check_email(value: Any) -> tuple[str, str | None]:
    """The normalised e-mail address and an error key, if any."""
    raw = _clean_text(value)
    if not raw:
        return raw, "error_email_required"
    if len(raw) > EMAIL_MAX:
        return raw, "error_email_invalid"
    try:
        return validate_email(raw, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return raw, "error_email_invalid"


def check_phone(value: Any) -> tuple[str | None, str | None]:
    """The phone number in E.164 form (Belgian numbers may be written locally), or an error."""
    raw = _clean_text(value)
    if not raw:
        return None, None
    try:
        number = phonenumbers.parse(raw, "BE")
    except phonenumbers.NumberParseException:
        return raw, "error_phone_invalid"
    if not phonenumbers.is_valid_number(number):
        return raw, "error_phone_invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def check_question(value: Any) -> tuple[str | None, str | None]:
    """The optional question, or an error when it is too long."""
    question = _clean_text(value)
    if len(question) > QUESTION_MAX:
        return question, "error_question_too_long"
    return question or None, None


def validate_details(raw: dict[str, Any]) -> tuple[CitizenDetails | None, dict[str, str]]:
    """Validated details, or per-field error keys when something is wrong."""
    errors: dict[str, str] = {}
    name, errors["name"] = check_name(raw.get("name"))
    email, errors["email"] = check_email(raw.get("email"))
    phone, errors["phone"] = check_phone(raw.get("phone"))
    question, errors["question"] = check_question(raw.get("question"))
    language = raw.get("language")
    errors["language"] = None if language in LANGUAGES else "error_language_invalid"
    errors["consent"] = None if raw.get("consent") is True else "error_consent_required"
    errors = {field: key for field, key in errors.items() if key}
    if errors:
        return None, errors
    return CitizenDetails(name, email, phone, language, question, True), {}


ROW_ID_MAX = 2**31 - 1  # PostgreSQL's integer: a larger id is a database error, not "not found"


def row_id(value: object) -> int | None:
    """``value`` when it can be a table's id (an int, not a bool, 1 … 2**31 - 1); else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= ROW_ID_MAX else None


def whole_number(value: object) -> int | None:
    """An integer from a form or event value ("12", 12), or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d{1,9}", text):
            return int(text)
    return None


def positive_id(value: object) -> int | None:
    """A table's id from a form or event value ("12" or 12), or None."""
    return row_id(whole_number(value))
