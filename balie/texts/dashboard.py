"""Texts of the managers' statistics dashboard."""

TEXTS: dict[str, dict[str, str]] = {
    "dash_title": {"nl": "Cijfers van de Digitale Balie", "en": "Digitale Balie figures"},
    "dash_intro": {
        "nl": "Hoeveel videogesprekken er waren, per dienst en over de tijd. "
        "Onder elke grafiek kan je dezelfde cijfers als tabel openen.",
        "en": "How many video calls there were, per service and over time. "
        "Under every chart you can open the same figures as a table.",
    },
    "dash_demo": {
        "nl": "Let op: deze cijfers bevatten demogegevens. Het zijn geen echte afspraken.",
        "en": "Please note: these figures contain demo data. They are not real appointments.",
    },
    # Filters
    "dash_filters": {"nl": "Kies periode en dienst", "en": "Choose period and service"},
    "dash_from": {"nl": "Van (dag)", "en": "From (day)"},
    "dash_to": {"nl": "Tot en met (dag)", "en": "Up to and including (day)"},
    "dash_service": {"nl": "Dienst", "en": "Service"},
    "dash_all_services": {"nl": "Alle diensten", "en": "All services"},
    "dash_apply": {"nl": "Toon cijfers", "en": "Show figures"},
    "dash_reset": {"nl": "Sinds de start, alle diensten", "en": "Since the start, all services"},
    "dash_period": {"nl": "Periode", "en": "Period"},
    "dash_error_date": {
        "nl": "Vul twee geldige dagen in, zoals 2026-03-01.",
        "en": "Fill in two valid days, like 2026-03-01.",
    },
    "dash_error_order": {
        "nl": "De eerste dag moet vóór of op de laatste dag liggen.",
        "en": "The first day must be on or before the last day.",
    },
    "dash_error_range": {
        "nl": "Kies dagen tussen 2000 en volgend jaar, en hoogstens tien jaar na elkaar.",
        "en": "Choose days between 2000 and next year, at most ten years apart.",
    },
    "dash_error_service": {
        "nl": "Kies een dienst uit de lijst.",
        "en": "Choose a service from the list.",
    },
    # Headline
    "dash_headline": {"nl": "Kerncijfers", "en": "Key figures"},
    "dash_held": {"nl": "Gesprekken gehouden", "en": "Calls held"},
    "dash_booked": {"nl": "Nog geboekt in deze periode", "en": "Still booked in this period"},
    "dash_upcoming_now": {
        "nl": "Komende afspraken (vanaf nu)",
        "en": "Upcoming bookings (from now)",
    },
    "dash_compare_note": {
        "nl": "De pijlen vergelijken met de vorige periode van even veel dagen.",
        "en": "The arrows compare with the previous period of as many days.",
    },
    "dash_show_table": {"nl": "Toon de cijfers als tabel", "en": "Show the figures as a table"},
    "dash_cancelled": {"nl": "Geannuleerd", "en": "Cancelled"},
    "dash_no_shows": {"nl": "Niet komen opdagen", "en": "No-shows"},
    "dash_no_show_rate": {"nl": "Deel niet komen opdagen", "en": "No-show rate"},
    "dash_cancellation_rate": {"nl": "Deel geannuleerd", "en": "Cancellation rate"},
    "dash_satisfaction": {"nl": "Tevredenheid (1 tot 5)", "en": "Satisfaction (1 to 5)"},
    "dash_answers": {"nl": "antwoorden", "en": "answers"},
    "dash_services_live": {"nl": "Diensten live", "en": "Services live"},
    "dash_none": {"nl": "geen", "en": "none"},
    # Charts and tables
    "dash_per_week": {"nl": "Gesprekken per week", "en": "Calls per week"},
    "dash_per_month": {"nl": "Gesprekken per maand", "en": "Calls per month"},
    "dash_growth_note": {
        "nl": "Gehouden gesprekken per dienst. Een verticale lijn toont de start van een golf "
        "diensten.",
        "en": "Calls held per service. A vertical line shows the start of a wave of services.",
    },
    "dash_week": {"nl": "Week", "en": "Week"},
    "dash_month": {"nl": "Maand", "en": "Month"},
    "dash_total": {"nl": "Totaal", "en": "Total"},
    "dash_waves": {
        "nl": "Golven: wanneer diensten live gingen",
        "en": "Waves: when services went live",
    },
    "dash_wave_day": {"nl": "Dag", "en": "Day"},
    "dash_wave_services": {"nl": "Diensten", "en": "Services"},
    "dash_no_waves": {
        "nl": "Geen dienst ging live in deze periode.",
        "en": "No service went live in this period.",
    },
    "dash_wave": {"nl": "Start golf", "en": "Wave start"},
    "dash_per_service": {"nl": "Per dienst", "en": "Per service"},
    "dash_upcoming": {"nl": "Komende afspraken", "en": "Upcoming bookings"},
    "dash_lead_time": {
        "nl": "Mediaan tijd tussen boeking en gesprek (dagen)",
        "en": "Median time from booking to call (days)",
    },
    "dash_first_free": {
        "nl": "Tijd tot het eerste vrije moment (uren)",
        "en": "Time to the first free slot (hours)",
    },
    "dash_capacity": {"nl": "Bezetting", "en": "Capacity use"},
    "dash_outcome_resolved": {"nl": "Opgelost", "en": "Resolved"},
    "dash_outcome_follow_up": {"nl": "Opvolging nodig", "en": "Follow-up needed"},
    "dash_outcome_referred": {"nl": "Doorverwezen", "en": "Referred"},
    "dash_outcome_in_person": {"nl": "Moet langskomen", "en": "Needs an in-person visit"},
    "dash_channel": {
        "nl": "Hoe er geboekt werd: online of via het contactcenter",
        "en": "How people booked: online or through the contact centre",
    },
    "dash_channel_note": {
        "nl": "Alle afspraken per maand, ook geannuleerde.",
        "en": "All appointments per month, cancelled ones included.",
    },
    "dash_web": {"nl": "Online", "en": "Online"},
    "dash_contact_centre": {"nl": "Contactcenter", "en": "Contact centre"},
    "dash_csv": {"nl": "Download als CSV", "en": "Download as CSV"},
    "dash_chart_hidden": {
        "nl": "De grafiek toont dezelfde cijfers als de tabel hieronder.",
        "en": "The chart shows the same figures as the table below.",
    },
}
