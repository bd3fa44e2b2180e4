"""State of /niet-aangevraagd, the page behind the 'not requested by you?' link in e-mails.

Opening the page (a GET, which mail scanners also do) changes nothing; only the button
cancels the appointment and stops the mail. The reference and token sit in backend vars and
every handler checks them again through the service.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx

from balie.db_types import utcnow
from balie.services.privacy import mail_suppression
from balie.services.wizard import summarise
from balie.settings import get_settings
from balie.states.links import link_from_address
from balie.states.tenant import tenant_session
from balie.worker import run_appointment_jobs

log = logging.getLogger(__name__)

FOCUS_HEADING = "setTimeout(() => document.getElementById('step-heading')?.focus(), 60)"


class NotRequestedState(rx.State):
    """One appointment, found by the 'not requested' link."""

    loaded: bool = False
    view: str = ""  # ask, done, invalid
    reference: str = ""
    when: dict[str, str] = {}
    service_name: dict[str, str] = {}
    cancelled: bool = False
    error: bool = False
    _reference: str = ""
    _token: str = ""

    def _secret(self) -> str:
        """The secret the link's token is derived from."""
        return get_settings().secret_key.get_secret_value()

    @rx.event
    def load(self) -> None:
        """Read the link and show what it is about; nothing changes yet."""
        self._reference, self._token = link_from_address(self.router)
        self.view, self.reference, self.when, self.service_name = "invalid", "", {}, {}
        self.cancelled, self.error = False, False
        with tenant_session(self) as session:
            appointment = mail_suppression.find(
                session, self._reference, self._token, self._secret()
            )
            if appointment is not None:
                summaries = {lang: summarise(session, appointment, lang) for lang in ("nl", "en")}
                self.reference = appointment.reference
                self.when = {lang: s.when for lang, s in summaries.items()}
                self.service_name = {lang: s.service_name for lang, s in summaries.items()}
                self.view = "ask"
        if self.view == "invalid":
            self._reference, self._token = "", ""
        self.loaded = True

    @rx.event
    async def confirm(self) -> Any:
        """The citizen confirms: cancel the appointment and suppress the address."""
        if self.view != "ask":
            return None
        try:
            found = await asyncio.to_thread(self._report)
        except Exception:  # the citizen gets a message, the log the details
            log.exception("could not handle a 'not requested' report")
            self.error = True
            return None
        self.view = "done" if found else "invalid"
        self.error = False
        return rx.call_script(FOCUS_HEADING)

    def _report(self) -> bool:
        """Cancel and suppress, then cancel the meeting (no mail goes out); False: wrong link."""
        secret = self._secret()
        with tenant_session(self) as session:
            appointment = mail_suppression.find(session, self._reference, self._token, secret)
            if appointment is None:
                return False
            self.cancelled = mail_suppression.report_not_requested(
                session, appointment, secret, utcnow()
            )
            appointment_id = appointment.id
        run_appointment_jobs(appointment_id)
        return True
