"""State of the staff sign-in page: the message to show after a redirect."""

import reflex as rx


class SignInPageState(rx.State):
    """Messages on the sign-in page (from the address after a redirect)."""

    problem: str = ""
    signed_out: bool = False

    @rx.event
    def load(self) -> None:
        """Read ?fout=… or ?afgemeld=1 from the address."""
        params = self.router.url.query_parameters
        problem = params.get("fout", "")
        self.problem = problem if problem in {"invalid", "rate_limited", "unavailable"} else ""
        self.signed_out = params.get("afgemeld") == "1"
