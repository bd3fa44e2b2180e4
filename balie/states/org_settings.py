"""State of the organisation's settings page (/beheer/organisatie), for its administrators."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from balie.db import session_scope
from balie.services import org_settings
from balie.settings import get_settings

log = logging.getLogger(__name__)


def check_stored_secrets() -> None:
    """At start-up: production refuses to run when stored secrets have no key to open them."""
    settings = get_settings()
    if not settings.is_production:
        return
    try:
        with session_scope() as session:
            org_settings.check_production_start(session, settings)
    except SQLAlchemyError:
        log.warning("could not check the organisations' stored secrets (database not ready)")
