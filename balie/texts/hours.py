"""Texts of the opening hours and leave screen."""

HOURS_ERRORS: dict[str, dict[str, str]] = {
    "hours_error_day": {"nl": "Kies een dag van de week.", "en": "Choose a day of the week."},
    "hours_error_time": {
        "nl": "Vul een begin- en einduur in, bijvoorbeeld 09:00.",
        "en": "Enter a start and an end time, for example 09:00.",
    },
    "hours_error_order": {
        "nl": "Het einduur moet na het beginuur liggen.",
        "en": "The end time must be after the start time.",
    },
    "hours_error_bounds": {
        "nl": "Uren liggen tussen 07:00 en 20:00.",
        "en": "Hours lie between 07:00 and 20:00.",
    },
    "hours_error_grid": {
        "nl": "Gebruik uren per 5 minuten, bijvoorbeeld 09:00, 09:05 of 09:10.",
        "en": "Use times in steps of 5 minutes, for example 09:00, 09:05 or 09:10.",
    },
    "hours_error_too_short": {
        "nl": "Dit tijdvak is te kort voor één afspraak van deze dienst.",
        "en": "This time range is too short for one appointment of this service.",
    },
    "hours_error_overlap": {
        "nl": "Dit tijdvak overlapt met een ander tijdvak op dezelfde dag.",
        "en": "This time range overlaps another one on the same day.",
    },
    "hours_error_other_service": {
        "nl": "Dit tijdvak overlapt met je uren voor een andere dienst.",
        "en": "This time range overlaps the hours for another service.",
    },
    "hours_error_too_many": {
        "nl": "Te veel tijdvakken: hoogstens 35 per week.",
        "en": "Too many time ranges: 35 a week at most.",
    },
    "hours_error_date": {
        "nl": "Vul een datum in, bijvoorbeeld 30-03-2026.",
        "en": "Enter a date, for example 30-03-2026.",
    },
    "hours_error_period_order": {
        "nl": "Het einde moet na het begin liggen.",
        "en": "The end must be after the start.",
    },
    "hours_error_period_past": {
        "nl": "Deze periode is al voorbij.",
        "en": "This period is already over.",
    },
    "hours_error_period_long": {
        "nl": "Een periode duurt hoogstens een jaar.",
        "en": "A period lasts one year at most.",
    },
    "hours_error_period_far": {
        "nl": "Een periode begint hoogstens twee jaar vooruit.",
        "en": "A period starts two years ahead at most.",
    },
    "hours_error_reason": {"nl": "Deze reden kan niet.", "en": "This reason is not allowed."},
    "hours_error_reason_long": {
        "nl": "De reden is te lang (hoogstens 200 tekens; bij annuleren 500).",
        "en": "The reason is too long (200 characters at most; 500 when cancelling).",
    },
    "hours_error_reason_required": {
        "nl": "Schrijf kort waarom. De burger krijgt deze reden in de e-mail.",
        "en": "Write briefly why. The citizen gets this reason in the e-mail.",
    },
}

TEXTS: dict[str, dict[str, str]] = {
    "hours_title": {"nl": "Openingsuren en verlof", "en": "Opening hours and leave"},
    "hours_intro": {
        "nl": "Hier staat wanneer burgers een videogesprek kunnen boeken. "
        "Uren gelden elke week, in Belgische tijd.",
        "en": "This is when citizens can book a video call. "
        "Hours apply every week, in Belgian time.",
    },
    "hours_choose_staff": {"nl": "Medewerker", "en": "Staff member"},
    "hours_choose_staff_hint": {
        "nl": "Kies wiens uren en verlof je wilt bekijken of wijzigen.",
        "en": "Choose whose hours and leave you want to see or change.",
    },
    "hours_no_services": {
        "nl": "Deze medewerker hoort bij geen enkele dienst, dus er zijn geen uren.",
        "en": "This staff member belongs to no service, so there are no hours.",
    },
    "hours_week_of": {"nl": "Weekuren voor", "en": "Weekly hours for"},
    "hours_from": {"nl": "Van", "en": "From"},
    "hours_until": {"nl": "Tot", "en": "Until"},
    "hours_closed": {"nl": "Geen uren", "en": "No hours"},
    "hours_add_range": {"nl": "Tijdvak toevoegen", "en": "Add a time range"},
    "hours_remove_range": {"nl": "Verwijder tijdvak", "en": "Remove time range"},
    "hours_save": {"nl": "Uren bewaren", "en": "Save hours"},
    "hours_range_hint": {
        "nl": "Tussen 07:00 en 20:00, per 5 minuten.",
        "en": "Between 07:00 and 20:00, in steps of 5 minutes.",
    },
    "hours_day_0": {"nl": "Maandag", "en": "Monday"},
    "hours_day_1": {"nl": "Dinsdag", "en": "Tuesday"},
    "hours_day_2": {"nl": "Woensdag", "en": "Wednesday"},
    "hours_day_3": {"nl": "Donderdag", "en": "Thursday"},
    "hours_day_4": {"nl": "Vrijdag", "en": "Friday"},
    "hours_day_5": {"nl": "Zaterdag", "en": "Saturday"},
    "hours_day_6": {"nl": "Zondag", "en": "Sunday"},
    "hours_leave": {"nl": "Verlof", "en": "Leave"},
    "hours_no_leave": {"nl": "Geen verlof gepland.", "en": "No leave planned."},
    "hours_closures": {"nl": "Sluitingsdagen van de stad", "en": "Closures of the city"},
    "hours_closures_intro": {
        "nl": "Op deze dagen kan niemand een afspraak maken, bij geen enkele dienst.",
        "en": "On these days nobody can book an appointment, with any service.",
    },
    "hours_no_closures": {"nl": "Geen sluitingsdagen gepland.", "en": "No closures planned."},
    "hours_add_leave": {"nl": "Verlof toevoegen", "en": "Add leave"},
    "hours_add_closure": {"nl": "Sluitingsdag toevoegen", "en": "Add a closure"},
    "hours_remove": {"nl": "Verwijder", "en": "Remove"},
    "hours_date_from": {"nl": "Eerste dag", "en": "First day"},
    "hours_date_until": {"nl": "Laatste dag", "en": "Last day"},
    "hours_time_from": {"nl": "Beginuur (niet verplicht)", "en": "Start time (optional)"},
    "hours_time_until": {"nl": "Einduur (niet verplicht)", "en": "End time (optional)"},
    "hours_times_hint": {
        "nl": "Zonder uren geldt het voor hele dagen.",
        "en": "Without times it applies to whole days.",
    },
    "hours_reason": {"nl": "Reden (niet verplicht)", "en": "Reason (optional)"},
    "hours_whole_day": {"nl": "hele dag", "en": "whole day"},
    "hours_to": {"nl": "tot", "en": "until"},
    "hours_through": {"nl": "tot en met", "en": "through"},
    "hours_saved": {"nl": "De uren zijn bewaard.", "en": "The hours have been saved."},
    "hours_leave_added": {"nl": "Het verlof is bewaard.", "en": "The leave has been saved."},
    "hours_leave_removed": {"nl": "Het verlof is verwijderd.", "en": "The leave has been removed."},
    "hours_closure_added": {
        "nl": "De sluitingsdag is bewaard.",
        "en": "The closure has been saved.",
    },
    "hours_closure_removed": {
        "nl": "De sluitingsdag is verwijderd.",
        "en": "The closure has been removed.",
    },
    "hours_cancelled_and_saved": {
        "nl": "De afspraken zijn geannuleerd en de burgers krijgen een e-mail. "
        "De wijziging is bewaard.",
        "en": "The appointments have been cancelled and the citizens get an e-mail. "
        "The change has been saved.",
    },
    "hours_not_saved": {
        "nl": "Niet bewaard. Kijk de fouten hieronder na; wat je invulde, blijft staan.",
        "en": "Not saved. Check the errors below; what you entered is kept.",
    },
    "hours_not_allowed": {
        "nl": "Dit mag je niet wijzigen.",
        "en": "You may not change this.",
    },
    "hours_stranded_title": {
        "nl": "Niet bewaard: deze geboekte afspraken zouden geen medewerker meer hebben.",
        "en": "Not saved: these booked appointments would no longer have a staff member.",
    },
    "hours_stranded_staff": {
        "nl": "Vraag een beheerder of Gentinfo om deze afspraken eerst te verplaatsen. "
        "Daarna kan je de wijziging opnieuw bewaren.",
        "en": "Ask an administrator or Gentinfo to move these appointments first. "
        "Then save the change again.",
    },
    "hours_stranded_move": {
        "nl": "Verplaats ze eerst via Afspraak zoeken",
        "en": "Move them first with Find an appointment",
    },
    "hours_stranded_or": {
        "nl": "Of annuleer ze en bewaar de wijziging meteen:",
        "en": "Or cancel them and save the change at once:",
    },
    "hours_cancel_reason": {
        "nl": "Reden voor de burger",
        "en": "Reason for the citizen",
    },
    "hours_cancel_reason_hint": {
        "nl": "Deze tekst staat in de e-mail die de burger krijgt.",
        "en": "This text is in the e-mail the citizen gets.",
    },
    "hours_cancel_confirm": {
        "nl": "Annuleer deze afspraken en breng de burgers op de hoogte",
        "en": "Cancel these appointments and inform the citizens",
    },
    "hours_keep": {"nl": "Niets wijzigen", "en": "Change nothing"},
    "hours_stranded_changed": {
        "nl": "Intussen is er nog een afspraak bijgekomen. Kijk de lijst opnieuw na.",
        "en": "Another appointment has been booked meanwhile. Check the list again.",
    },
    **HOURS_ERRORS,
}
