"""The Reflex app: pages, HTTP routes, the background worker and start-up checks."""

import reflex as rx

from balie.api import api
from balie.pages import book, home, manage, staff  # noqa: F401 - registers the pages
from balie.settings import get_settings
from balie.worker import background_worker, retention_worker

get_settings().check_production()

app = rx.App(
    api_transformer=api,
    html_lang="nl",
    stylesheets=["/balie.css"],
)
app.register_lifespan_task(background_worker)
app.register_lifespan_task(retention_worker)
