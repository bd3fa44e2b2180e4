"""Puts the domains together: imports every module that registers a meeting provider.

The registries (``meetings.interface``) know no provider; every process that needs one (the
app's worker, ``balie/worker.py``; the tests) imports this module, so all are registered.
"""

from __future__ import annotations

from typing import get_args

from balie.services.meetings import jitsi, teams
from balie.services.meetings.interface import provider_names
from balie.settings import Settings

PROVIDER_MODULES = (jitsi, teams)


def check_registered() -> None:
    """Fail loudly when a provider the settings allow has not registered itself."""
    allowed = set(get_args(Settings.model_fields["meeting_provider"].annotation))
    missing = allowed - set(provider_names())
    if missing:
        raise RuntimeError(f"meeting providers not registered: {sorted(missing)}")
