"""State of the staff sign-in page: the message to show after a redirect, and what is offered."""

import reflex as rx

from balie.settings import get_settings

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

    @rx.event
    def load(self) -> None:
        """Read ?fout=… or ?afgemeld=1 from the address; offer Microsoft when it is set up."""
        params = self.router.url.query_parameters
        problem = params.get("fout", "")
        self.problem = problem if problem in PROBLEMS else ""
        self.signed_out = params.get("afgemeld") == "1"
        self.entra_available = get_settings().entra_sign_in_configured
