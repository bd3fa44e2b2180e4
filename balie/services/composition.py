"""Puts the domains together: imports every module that registers a meeting provider or the
handler of a background job kind.

The registries (``meetings.interface``, ``jobs``) know no provider or handler; every process
that runs jobs (the app's in-process worker and ``balie/worker.py``; the tests) imports this
module, so all are registered.
"""

from __future__ import annotations

from typing import get_args

from balie.models import JobKind
from balie.services import citizen_mail, feedback, jobs
from balie.services.meetings import handlers, jitsi, teams
from balie.services.meetings.interface import provider_names
from balie.settings import Settings

PROVIDER_MODULES = (jitsi, teams)
JOB_MODULES = (handlers, citizen_mail, feedback)


def check_registered() -> None:
    """Fail loudly when a provider the settings allow or a job kind has nothing registered."""
    allowed = set(get_args(Settings.model_fields["meeting_provider"].annotation))
    missing = allowed - set(provider_names())
    if missing:
        raise RuntimeError(f"meeting providers not registered: {sorted(missing)}")
    unhandled = {kind.value for kind in JobKind} - set(jobs.HANDLERS)
    if unhandled:
        raise RuntimeError(f"job kinds without a handler: {sorted(unhandled)}")
