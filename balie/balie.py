"""The Reflex app: pages, HTTP routes, the background worker and start-up checks."""

import reflex as rx

from balie.api import api
from balie.components.overlay import connection_overlay
from balie.http_guard import HttpGuard
from balie.pages import register_all
from balie.settings import get_settings
from balie.states.staff_guard import StaffSessionGuard
from balie.worker import background_worker, retention_worker

get_settings().check_production()
register_all()


class BalieApp(rx.App):
    """The Reflex app with HttpGuard outermost, so Reflex's own CORS answers pass it too."""

    def __call__(self) -> HttpGuard:
        """The ASGI app `reflex run` serves, wrapped in HttpGuard."""
        return HttpGuard(super().__call__())


app = BalieApp(
    api_transformer=api,
    html_lang="nl",
    stylesheets=["/balie.css"],
)
app.app_wraps[(5, "Overlay")] = connection_overlay  # Reflex's, minus its hidden banner
# First of all middleware: stale staff data is reset before the hydrate can send it.
app.add_middleware(StaffSessionGuard(), index=0)
app.register_lifespan_task(background_worker)
app.register_lifespan_task(retention_worker)
