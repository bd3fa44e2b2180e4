"""Every background job kind and every meeting provider the settings allow is registered."""

from __future__ import annotations

import pytest

from balie.models import JobKind
from balie.services import composition, jobs
from balie.services.meetings.interface import provider_names


def test_every_job_kind_has_a_registered_handler() -> None:
    assert {kind.value for kind in JobKind} <= set(jobs.HANDLERS)


def test_every_handler_is_for_a_known_job_kind() -> None:
    assert set(jobs.HANDLERS) <= {kind.value for kind in JobKind}
    assert set(jobs.KINDS) == {kind.value for kind in JobKind}


def test_jitsi_and_teams_are_registered_providers() -> None:
    assert {"jitsi", "teams"} <= set(provider_names())


def test_check_registered_names_a_kind_without_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    handlers = dict(jobs.HANDLERS)
    del handlers[JobKind.MAIL_SURVEY]
    monkeypatch.setattr(jobs, "HANDLERS", handlers)
    with pytest.raises(RuntimeError, match=r"mail\.survey"):
        composition.check_registered()
