"""Levels of assurance: what a topic needs, and which provider ``acr`` values reach it."""

from __future__ import annotations

from balie.models import ChannelRule, IdentificationLevel, Topic
from balie.settings import Settings, get_settings

ORDER = {
    IdentificationLevel.NONE: 0,
    IdentificationLevel.SUBSTANTIAL: 1,
    IdentificationLevel.HIGH: 2,
}
LEVEL_VALUES: tuple[str, ...] = tuple(level.value for level in IdentificationLevel)


def identification_available(settings: Settings | None = None) -> bool:
    """Whether this deployment has an identity provider configured."""
    return (settings or get_settings()).identification_configured


def required_level(topic: Topic) -> IdentificationLevel:
    """The level a booking of ``topic`` needs (needs-identification: at least substantial)."""
    level = IdentificationLevel(topic.identification_level or IdentificationLevel.NONE)
    if ChannelRule(topic.channel_rule) is ChannelRule.NEEDS_IDENTIFICATION:
        return max(level, IdentificationLevel.SUBSTANTIAL, key=ORDER.__getitem__)
    return level


def reaches(level: str | None, needed: str) -> bool:
    """Whether a verified ``level`` is at least ``needed``."""
    if level not in LEVEL_VALUES:
        return needed == IdentificationLevel.NONE
    return ORDER[IdentificationLevel(level)] >= ORDER[IdentificationLevel(needed)]


def acr_values_for(level: str, settings: Settings) -> list[str]:
    """The ``acr`` values that satisfy ``level``, the level's own first (the first is sent)."""
    if level == IdentificationLevel.HIGH:
        return list(settings.identity_acr_high)
    return [*settings.identity_acr_substantial, *settings.identity_acr_high]


def level_of_acr(acr: object, settings: Settings) -> IdentificationLevel:
    """The level an ``acr`` value returned by the provider stands for (NONE when unknown)."""
    if isinstance(acr, str) and acr in settings.identity_acr_high:
        return IdentificationLevel.HIGH
    if isinstance(acr, str) and acr in settings.identity_acr_substantial:
        return IdentificationLevel.SUBSTANTIAL
    return IdentificationLevel.NONE
