"""Every public handler of the citizen's manage page, called by a browser without the right
personal link (none, a wrong token, another reference), changes nothing in the database and
stores no document: the handlers find the appointment by the link's token each time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session

from balie.models import Appointment
from balie.services.booking import manage_token_for
from balie.services.demo_data import load_demo_data
from balie.states.manage import ManageState
from tests.clamav import ClamAV
from tests.samples import pdf_document
from tests.states.test_documents_state import stored, upload
from tests.states.test_staff_authorization import (
    _appointment,
    _argument_sets,
    _run,
    _snapshot,
    public_handlers,
)


def _state(path: str) -> ManageState:
    """The manage page opened at ``path``."""
    state = ManageState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"pathname": "/afspraak", "asPath": path})
    ManageState.load.fn(state)
    return state


def _call_everything(state: ManageState, target: Appointment) -> None:
    """Every public handler with plausible, hostile and file arguments."""
    files = [upload("attest.pdf", pdf_document())]
    for name in public_handlers(ManageState):
        handler = ManageState.event_handlers[name]
        sets = _argument_sets(handler, target)
        if name == "upload_documents":
            sets.append((files,))
        for args in sets:
            try:
                result = handler.fn(state, *args)
                if hasattr(result, "__await__"):
                    asyncio.run(result)
                else:
                    _run(result)
            except (TypeError, ValueError, KeyError, AttributeError, PermissionError) as error:
                assert "Traceback" not in str(error)


@pytest.mark.parametrize(
    "link",
    ["/afspraak", "/afspraak?ref={ref}&token=" + "0" * 64, "/afspraak?ref=AAAA-AAAA&token={token}"],
)
def test_without_the_right_link_every_handler_changes_nothing(
    link: str,
    world: dict[str, Any],
    session: Session,
    app_database: Engine,
    scanning: ClamAV,
) -> None:
    target = world["target"]
    before = _snapshot(session)
    token = manage_token_for(target.reference, "s")
    state = _state(link.format(ref=target.reference, token=token))
    assert not state.found
    _call_everything(state, target)
    assert _snapshot(session) == before
    assert stored(session) == []


@pytest.fixture
def world(session: Session, app_database: Engine) -> dict[str, Any]:
    """The world of the staff authorization test: demo data and a target appointment."""
    load_demo_data(session)
    return {"target": _appointment(session)}


def test_the_document_handlers_are_among_those_called() -> None:
    handlers = public_handlers(ManageState)
    assert {"upload_documents", "check_documents"} <= set(handlers)
