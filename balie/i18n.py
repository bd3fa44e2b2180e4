"""Interface texts in Dutch (first) and English, and helpers to pick text by language."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

TEXTS: dict[str, dict[str, str]] = {
    "site_title": {"nl": "Digitale Balie", "en": "Digital Counter"},
    "skip_to_content": {"nl": "Ga naar de inhoud", "en": "Skip to content"},
    "language_switch_label": {"nl": "Taal", "en": "Language"},
    "switch_to_other": {"nl": "English", "en": "Nederlands"},
    "switch_to_other_label": {
        "nl": "Switch to English",
        "en": "Schakel naar Nederlands",
    },
    "home_heading": {
        "nl": "Praat met de stad via video",
        "en": "Talk to the city by video call",
    },
    "home_intro": {
        "nl": "Maak een afspraak voor een videogesprek met een dienst van de stad. "
        "Je hoeft je niet te verplaatsen. Je krijgt meteen een link naar het gesprek.",
        "en": "Book a video call with a city service. You do not have to travel. "
        "You get a link to the call straight away.",
    },
    "services_heading": {"nl": "Diensten", "en": "Services"},
    "no_services": {
        "nl": "Er zijn op dit moment geen diensten beschikbaar.",
        "en": "No services are available right now.",
    },
    "loading": {"nl": "Even geduld…", "en": "Loading…"},
    "topics_count": {"nl": "onderwerpen", "en": "topics"},
    "in_person_counter": {
        "nl": "Voor sommige zaken moet je naar het loket. Maak daarvoor een afspraak op",
        "en": "Some matters need a visit to the counter. Book that visit on",
    },
    "counter_link": {"nl": "de website van de stad", "en": "the city website"},
    "footer_privacy": {
        "nl": "We gebruiken je gegevens alleen voor je afspraak.",
        "en": "We only use your data for your appointment.",
    },
}

CHANNEL_REASONS: dict[str, dict[str, str]] = {
    "in_person": {
        "nl": "Dit kan alleen aan het loket.",
        "en": "This can only be done at the counter.",
    },
    "needs_identification": {
        "nl": "Hiervoor moeten we zeker weten wie je bent. Dat kan nog niet via video.",
        "en": "We need to check who you are. That is not possible by video yet.",
    },
    "needs_document_exchange": {
        "nl": "Hiervoor moeten we documenten van je krijgen of aan je geven. "
        "Dat kan nog niet via video.",
        "en": "We need to exchange documents with you. That is not possible by video yet.",
    },
    "needs_signature": {
        "nl": "Hiervoor moet je iets ondertekenen. Dat kan nog niet via video.",
        "en": "You need to sign something. That is not possible by video yet.",
    },
}


def normalise_language(language: object) -> str:
    """A supported language code for any input (falls back to Dutch)."""
    if isinstance(language, str) and language.lower() in LANGUAGES:
        return language.lower()
    return DEFAULT_LANGUAGE


def pick(text: dict[str, str] | None, language: str) -> str:
    """The text in ``language``, else Dutch, else any language, else an empty string."""
    if not text:
        return ""
    for code in (language, DEFAULT_LANGUAGE, *text):
        if text.get(code):
            return text[code]
    return ""


def ui_text(key: str, language: str) -> str:
    """An interface text in ``language``."""
    return pick(TEXTS[key], language)
