"""Interface text chosen in the browser by the visitor's language."""

import reflex as rx

from balie.i18n import LANGUAGES, TEXTS
from balie.states.locale import LocaleState


def t(key: str) -> rx.Var:
    """The interface text ``key`` in the visitor's language (resolved in the browser)."""
    table = TEXTS[key]
    return rx.Var.create({lang: table[lang] for lang in LANGUAGES})[LocaleState.lang]


def localised(text: rx.Var) -> rx.Var:
    """Pick the visitor's language from a Var holding ``{"nl": …, "en": …}``."""
    return text.to(dict)[LocaleState.lang]


def text_for(key: rx.Var, keys: list[str]) -> rx.Var:
    """The text whose key is held in ``key`` (one of ``keys``), in the visitor's language."""
    table = {lang: {k: TEXTS[k][lang] for k in keys} for lang in LANGUAGES}
    return rx.Var.create(table)[LocaleState.lang].to(dict)[key]
