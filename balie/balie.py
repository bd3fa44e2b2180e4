"""The Reflex app: pages, HTTP routes and start-up checks."""

import reflex as rx

from balie.api import api
from balie.pages import book, home, manage  # noqa: F401 - registers the pages
from balie.settings import get_settings

get_settings().check_production()

app = rx.App(
    api_transformer=api,
    html_lang="nl",
    stylesheets=["/balie.css"],
)
