"""State of the staff sign-in page: the message to show after a redirect, and what is offered."""

import reflex as rx

from balie.i18n import LANGUAGES, TEXTS
from balie.settings import get_settings

MAX_WAIT = 3600  # a ?wacht= beyond an hour is not ours: ignore it

# ?fout=… codes the page explains: the local form's and Microsoft Entra ID's (services.entra).
PROBLEMS = (
    "invalid",
    "rate_limited",
    "unavailable",
    "entra_off",
    "entra_failed",
    "entra_expired",
    "wrong_tenant",
    "no_role",
    "inactive",
    "account_conflict",
)


class SignInPageState(rx.State):
    """Messages on the sign-in page (from the address after a redirect)."""

    problem: str = ""
    signed_out: bool = False
    entra_available: bool = False
    wait_message: dict[str, str] = {}

    @rx.event
    def load(self) -> None:
        """Read ?fout=… or ?afgemeld=1 from the address; offer Microsoft when it is set up."""
        params = self.router.url.query_parameters
        problem = params.get("fout", "")
        self.problem = problem if problem in PROBLEMS else ""
        self.signed_out = params.get("afgemeld") == "1"
        self.wait_message = {}
        wait = str(params.get("wacht", ""))
        if self.problem == "rate_limited" and wait.isdigit() and 0 < int(wait) <= MAX_WAIT:
            text = TEXTS["staff_error_wait"]
            self.wait_message = {lang: text[lang].format(seconds=int(wait)) for lang in LANGUAGES}
        self.entra_available = get_settings().entra_sign_in_configured
