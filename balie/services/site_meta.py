"""What a citizen page says about itself to search engines and link previews (Dutch)."""

from __future__ import annotations

from collections.abc import Sequence

DESCRIPTION_MAX = 160
DEFAULT_DESCRIPTION = (
    "Maak online een afspraak voor een videogesprek met een dienst van de stad. "
    "Je hoeft je niet te verplaatsen."
)


def page_description(organisation_name: str, service_names: Sequence[str]) -> str:
    """The meta description: who takes video calls and, as far as it fits, for which services."""
    name = " ".join(organisation_name.split())
    if not name:
        return DEFAULT_DESCRIPTION
    base = f"Maak online een afspraak voor een videogesprek met {name}."
    names = [" ".join(service.split()) for service in service_names if service.strip()]
    for count in range(len(names), 0, -1):
        shown = names[:count]
        if count < len(names):
            listed = f"{', '.join(shown)} en meer"
        else:
            listed = shown[0] if count == 1 else f"{', '.join(shown[:-1])} en {shown[-1]}"
        text = f"{base} Diensten: {listed}."
        if len(text) <= DESCRIPTION_MAX:
            return text
    return base if len(base) <= DESCRIPTION_MAX else base[: DESCRIPTION_MAX - 1] + "…"
