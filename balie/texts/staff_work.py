"""Texts of today, week and team views, booking for a citizen."""

TEXTS: dict[str, dict[str, str]] = {
    # Today: states in words
    "work_meeting": {"nl": "Link naar het gesprek", "en": "Link to the call"},
    "work_meeting_pending": {
        "nl": "Bezig: de link wordt gemaakt",
        "en": "In progress: the link is being made",
    },
    "work_meeting_ready": {"nl": "Klaar", "en": "Ready"},
    "work_meeting_failed": {"nl": "Mislukt", "en": "Failed"},
    "work_retry": {"nl": "Link opnieuw maken", "en": "Make the link again"},
    "work_retry_started": {
        "nl": "We maken de link opnieuw. Hij verschijnt hier vanzelf.",
        "en": "We are making the link again. It appears here by itself.",
    },
    "work_retry_refused": {
        "nl": "De link kan nu niet opnieuw gemaakt worden.",
        "en": "The link cannot be made again now.",
    },
    # Today: follow-up in one step
    "work_follow_up": {"nl": "Vervolgafspraak boeken", "en": "Book a follow-up appointment"},
    "work_follow_up_heading": {
        "nl": "Kies een moment voor de vervolgafspraak",
        "en": "Choose a time for the follow-up appointment",
    },
    "work_follow_up_intro": {
        "nl": "Zelfde dienst en onderwerp, voor dezelfde burger. "
        "Ben jij op dat moment vrij, dan krijg jij de afspraak.",
        "en": "Same service and topic, for the same citizen. "
        "If you are free at that time, the appointment is yours.",
    },
    "work_follow_up_confirm_heading": {
        "nl": "Vervolgafspraak bevestigen",
        "en": "Confirm the follow-up appointment",
    },
    "work_follow_up_confirm": {"nl": "Boek de vervolgafspraak", "en": "Book the follow-up"},
    "work_follow_up_other_time": {"nl": "Ander moment kiezen", "en": "Choose another time"},
    "work_follow_up_close": {"nl": "Niet boeken", "en": "Do not book"},
    "work_follow_up_booked": {
        "nl": "Vervolgafspraak geboekt:",
        "en": "Follow-up appointment booked:",
    },
    "work_follow_up_mail": {
        "nl": "De burger krijgt een bevestiging per e-mail, met de link om te verzetten of "
        "te annuleren.",
        "en": "The citizen gets a confirmation by e-mail, with the link to move or cancel.",
    },
    "work_follow_up_taken": {
        "nl": "Dit moment is intussen niet meer vrij. Kies een ander moment.",
        "en": "This time is no longer free. Choose another time.",
    },
    "work_follow_up_failed": {
        "nl": "De vervolgafspraak kon niet geboekt worden. Probeer het opnieuw.",
        "en": "The follow-up appointment could not be booked. Try again.",
    },
    "work_follow_up_refused": {
        "nl": "Voor deze afspraak kan je (nu) geen vervolgafspraak boeken.",
        "en": "You cannot book a follow-up for this appointment (now).",
    },
    "work_reference": {"nl": "Afspraaknummer", "en": "Appointment number"},
    # Week
    "work_week_title": {"nl": "Mijn week", "en": "My week"},
    "work_previous_week": {"nl": "Vorige week", "en": "Previous week"},
    "work_next_week": {"nl": "Volgende week", "en": "Next week"},
    "work_this_week": {"nl": "Deze week", "en": "This week"},
    "work_week_total": {"nl": "Afspraken deze week:", "en": "Appointments this week:"},
    "work_day_free": {"nl": "Geen afspraken.", "en": "No appointments."},
    "work_appointment_one": {"nl": "afspraak", "en": "appointment"},
    "work_appointment_many": {"nl": "afspraken", "en": "appointments"},
    "today_next_call": {"nl": "Volgend gesprek", "en": "Next call"},
    "today_no_next_call": {
        "nl": "Er zijn vandaag geen gesprekken meer gepland.",
        "en": "No more calls are planned today.",
    },
    "today_phase_in_progress": {"nl": "Nu bezig", "en": "In progress"},
    "today_phase_late": {"nl": "Te laat: nog geen resultaat", "en": "Late: no result yet"},
    "today_link_failed_badge": {"nl": "Link mislukt", "en": "Link failed"},
    "cal_week_label": {"nl": "Weekkalender", "en": "Week calendar"},
    "cal_team_label": {"nl": "Dag per medewerker", "en": "Day per counsellor"},
    "cal_as_list": {"nl": "Dezelfde week als lijst", "en": "The same week as a list"},
    "cal_keys_hint": {
        "nl": "Met de pijltjestoetsen ga je naar de volgende afspraak (omhoog en omlaag) "
        "of de volgende dag (links en rechts). Kies een afspraak voor de details.",
        "en": "Use the arrow keys to go to the next appointment (up and down) or the next "
        "day (left and right). Choose an appointment for its details.",
    },
    "cal_keys_hint_team": {
        "nl": "Met de pijltjestoetsen ga je naar de volgende afspraak (omhoog en omlaag) "
        "of de volgende medewerker (links en rechts). Kies een afspraak voor de details.",
        "en": "Use the arrow keys to go to the next appointment (up and down) or the next "
        "counsellor (left and right). Choose an appointment for its details.",
    },
    "cal_legend_open": {"nl": "Open: je neemt gesprekken aan", "en": "Open: taking calls"},
    "cal_legend_closed": {"nl": "Gesloten", "en": "Closed"},
    "cal_legend_away": {
        "nl": "Afwezig: verlof of sluiting",
        "en": "Away: leave or closure",
    },
    "work_week_nav": {"nl": "Andere week", "en": "Another week"},
    # Day per service
    "work_team_title": {"nl": "Dag per dienst", "en": "Day per service"},
    "work_team_service": {"nl": "Dienst", "en": "Service"},
    "work_team_day": {"nl": "Datum", "en": "Date"},
    "work_team_day_hint": {
        "nl": "Hoogstens een jaar voor of na vandaag.",
        "en": "At most a year before or after today.",
    },
    "work_team_show": {"nl": "Toon de afspraken", "en": "Show the appointments"},
    "work_team_bad_day": {
        "nl": "Kies een geldige datum, hoogstens een jaar voor of na vandaag.",
        "en": "Choose a valid date, at most a year before or after today.",
    },
    "work_team_bad_service": {"nl": "Kies een dienst uit de lijst.", "en": "Choose a service."},
    "work_team_no_services": {
        "nl": "Je hoort bij geen enkele dienst. Vraag het aan je beheerder.",
        "en": "You do not belong to any service. Ask your administrator.",
    },
    "work_team_none": {
        "nl": "Geen afspraken voor deze dienst op deze dag.",
        "en": "No appointments for this service on this day.",
    },
    "work_team_caption": {"nl": "Afspraken van", "en": "Appointments of"},
    "work_col_time": {"nl": "Tijd", "en": "Time"},
    "work_col_counsellor": {"nl": "Medewerker", "en": "Counsellor"},
    "work_col_topic": {"nl": "Onderwerp", "en": "Topic"},
    "work_col_citizen": {"nl": "Burger", "en": "Citizen"},
    "work_col_status": {"nl": "Status", "en": "Status"},
    "work_col_meeting": {"nl": "Link", "en": "Link"},
}
