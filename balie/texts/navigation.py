"""Texts of the staff navigation and the access messages every staff page shares."""

TEXTS: dict[str, dict[str, str]] = {
    "nav_label": {"nl": "Menu voor medewerkers", "en": "Staff menu"},
    "nav_today": {"nl": "Vandaag", "en": "Today"},
    "nav_week": {"nl": "Mijn week", "en": "My week"},
    "nav_team": {"nl": "Dag per dienst", "en": "Day per service"},
    "nav_book_for_citizen": {"nl": "Boeken voor een burger", "en": "Book for a citizen"},
    "nav_find": {"nl": "Afspraak zoeken", "en": "Find an appointment"},
    "nav_hours": {"nl": "Openingsuren en verlof", "en": "Opening hours and leave"},
    "nav_catalogue": {"nl": "Diensten en onderwerpen", "en": "Services and topics"},
    "nav_staff": {"nl": "Medewerkers", "en": "Staff"},
    "nav_audit": {"nl": "Logboek", "en": "Audit log"},
    "nav_data_requests": {"nl": "Vragen over gegevens", "en": "Data requests"},
    "nav_dashboard": {"nl": "Cijfers", "en": "Figures"},
    "staff_loading": {"nl": "De pagina wordt geladen …", "en": "The page is loading …"},
    "no_access": {
        "nl": "Je hebt geen toegang tot deze pagina. Vraag het aan je beheerder.",
        "en": "You do not have access to this page. Ask your administrator.",
    },
}
