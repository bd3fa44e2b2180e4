"""The citizen's typed name cannot put links, headers or long text into the city's e-mail."""

from __future__ import annotations

import pytest

from balie.services.notifications import NAME_MAX, safe_name
from tests.services.test_notifications import (
    appointment,
    build,
    calendar_part,
    calendar_text,
    html_of,
    text_of,
)

ATTACK = "Klik op http://evil.example\nBcc: x@evil.example"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("An Peeters", "An Peeters"),
        ("Ann-Sofie D'Hondt", "Ann-Sofie D'Hondt"),
        ("Zoë Ağaoğlu", "Zoë Ağaoğlu"),
        ("www.evil.example Jan", "Jan"),
        ("Jan evil.example", "Jan"),
        ("Jan <script>", "Jan script"),
        ("mailto:x@evil.example Jan", "Jan"),
        ("Jan\x00\x1b[31m Peeters", "Jan m Peeters"),
        ("https://evil.example", ""),
        ("1234 !!", ""),
    ],
)
def test_names_are_cleaned(typed: str, shown: str) -> None:
    assert safe_name(typed) == shown


def test_a_long_name_is_cut_at_a_word() -> None:
    name = safe_name("Bezoek onze geweldige winkel vandaag nog voor korting op alles")
    assert len(name) <= NAME_MAX and name == "Bezoek onze geweldige winkel vandaag nog"
    assert len(safe_name("A" * 300)) == NAME_MAX


@pytest.mark.parametrize("kind", ["confirmation", "change", "reminder", "cancellation"])
def test_an_attackers_name_is_harmless_in_body_headers_and_calendar(kind: str) -> None:
    mail = build(kind, appointment(citizen_name=ATTACK))
    for body in (text_of(mail), html_of(mail)):
        assert "evil.example" not in body and "http" not in body.replace("https://", "")
    assert text_of(mail).startswith("Beste Klik op Bcc,\n")
    assert mail["Bcc"] is None
    assert str(mail["To"]) == "an.peeters@example.org"
    assert "Klik" not in str(mail["To"])
    assert "evil.example" not in calendar_text(calendar_part(mail))
