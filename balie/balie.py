"""The Reflex app: pages, HTTP routes, the background worker and start-up checks."""

import reflex as rx

from balie.api import api
from balie.pages import register_all
from balie.settings import get_settings
from balie.states.staff_guard import StaffSessionGuard
from balie.worker import background_worker, retention_worker

get_settings().check_production()
register_all()

app = rx.App(
    api_transformer=api,
    html_lang="nl",
    stylesheets=["/balie.css"],
)
# First of all middleware: stale staff data is reset before the hydrate can send it.
app.add_middleware(StaffSessionGuard(), index=0)
app.register_lifespan_task(background_worker)
app.register_lifespan_task(retention_worker)
