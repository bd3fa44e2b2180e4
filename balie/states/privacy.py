"""State of the privacy notice /privacy: the parts that depend on this deployment's settings."""

from __future__ import annotations

import reflex as rx

from balie.db import session_scope
from balie.i18n import LANGUAGES, TEXTS
from balie.services import org_settings
from balie.services.catalogue import get_organisation
from balie.settings import Settings, get_settings
from balie.states.tenant import organisation_slug_of

PROVIDER_NAMES = {"teams": "Microsoft Teams", "jitsi": "Jitsi Meet"}


def _filled(key: str, **values: object) -> dict[str, str]:
    """The text ``key`` in every language with ``values`` filled in."""
    return {lang: TEXTS[key][lang].format(**values) for lang in LANGUAGES}


def privacy_facts(settings: Settings) -> dict[str, dict[str, str]]:
    """How long data is kept and what the meeting provider gets, as the settings say."""
    provider = settings.meeting_provider
    name = PROVIDER_NAMES.get(provider, provider)
    # Jitsi gets nothing from the app, so there is no question to share with it.
    shared = provider == "teams" and settings.share_question_with_meeting_provider
    question_key = "privacy_question_shared" if shared else "privacy_question_not_shared"
    return {
        "how_long": _filled("privacy_how_long", days=settings.retention_days),
        "meeting": _filled(f"privacy_meeting_{provider}"),
        "question": _filled(question_key, provider=name),
        "identity": _filled(_identity_key(settings), days=settings.retention_days),
    }


def _identity_key(settings: Settings) -> str:
    """Which sentence about the sign-in with itsme or eID this deployment needs."""
    if not settings.identification_configured:
        return "privacy_identity_off"
    if settings.identity_store_national_number:
        return "privacy_identity_number"
    return "privacy_identity_hash"


def _organisation_settings(slug: str | None) -> Settings:
    """The platform's settings with the organisation's own retention and provider (no secrets)."""
    settings = get_settings()
    if slug is None:
        return settings
    with session_scope() as session:
        organisation = get_organisation(session, slug)
        if organisation is None:
            return settings
        return org_settings.effective_settings(
            session, organisation.id, settings, with_secrets=False
        )


class PrivacyState(rx.State):
    """The settings-dependent sentences of the privacy notice, per language."""

    loaded: bool = False
    how_long: dict[str, str] = {}
    meeting: dict[str, str] = {}
    question: dict[str, str] = {}
    identity: dict[str, str] = {}

    @rx.event
    def load(self) -> None:
        """Read the retention time and the meeting provider of the host's organisation."""
        facts = privacy_facts(self._settings())
        self.how_long, self.meeting, self.question = (
            facts["how_long"],
            facts["meeting"],
            facts["question"],
        )
        self.identity = facts["identity"]
        self.loaded = True

    def _settings(self) -> Settings:
        """The settings that hold for this browser's host."""
        return _organisation_settings(organisation_slug_of(self))
