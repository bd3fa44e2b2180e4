"""Interface texts in Dutch (first) and English, and helpers to pick text by language."""

from __future__ import annotations

import importlib
from datetime import date, datetime

LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

TEXTS: dict[str, dict[str, str]] = {
    "site_title": {"nl": "Digitale Balie", "en": "Digital Counter"},
    "skip_to_content": {"nl": "Ga naar de inhoud", "en": "Skip to content"},
    "language_switch_label": {"nl": "Taal", "en": "Language"},
    "switch_to_other": {"nl": "English", "en": "Nederlands"},
    "switch_to_other_label": {
        "nl": "Switch to English",
        "en": "Schakel naar Nederlands",
    },
    "home_heading": {
        "nl": "Praat met de stad via video",
        "en": "Talk to the city by video call",
    },
    "home_intro": {
        "nl": "Maak een afspraak voor een videogesprek met een dienst van de stad. "
        "Je hoeft je niet te verplaatsen. Je krijgt meteen een link naar het gesprek.",
        "en": "Book a video call with a city service. You do not have to travel. "
        "You get a link to the call straight away.",
    },
    "services_heading": {"nl": "Diensten", "en": "Services"},
    "no_services": {
        "nl": "Er zijn op dit moment geen diensten beschikbaar.",
        "en": "No services are available right now.",
    },
    "loading": {"nl": "Even geduld…", "en": "Loading…"},
    "topics_count": {"nl": "onderwerpen", "en": "topics"},
    "in_person_counter": {
        "nl": "Voor sommige zaken moet je naar het loket. Maak daarvoor een afspraak op",
        "en": "Some matters need a visit to the counter. Book that visit on",
    },
    "counter_link": {"nl": "de website van de stad", "en": "the city website"},
    "book_title": {"nl": "Afspraak maken", "en": "Book an appointment"},
    "book_cta": {"nl": "Maak een afspraak", "en": "Book an appointment"},
    "step_of": {"nl": "Stap {n} van 5", "en": "Step {n} of 5"},
    "step_service": {"nl": "Kies een dienst", "en": "Choose a service"},
    "step_topic": {"nl": "Waarover wil je praten?", "en": "What do you want to talk about?"},
    "step_time": {"nl": "Kies een dag en een uur", "en": "Choose a day and a time"},
    "step_details": {"nl": "Jouw gegevens", "en": "Your details"},
    "step_review": {"nl": "Kijk alles na", "en": "Check your appointment"},
    "step_done": {"nl": "Je afspraak is gemaakt", "en": "Your appointment is booked"},
    "back": {"nl": "Terug", "en": "Back"},
    "next": {"nl": "Verder", "en": "Continue"},
    "prepare": {"nl": "Wat heb je nodig?", "en": "What do you need?"},
    "not_by_video": {"nl": "Niet via video", "en": "Not by video"},
    "book_at_counter": {
        "nl": "Maak een afspraak aan het loket",
        "en": "Book a visit to the counter",
    },
    "choose_day": {"nl": "Kies een dag", "en": "Choose a day"},
    "free_times_on": {"nl": "Vrije uren op", "en": "Free times on"},
    "earlier_days": {"nl": "Eerdere dagen", "en": "Earlier days"},
    "later_days": {"nl": "Latere dagen", "en": "Later days"},
    "times_in_zone": {
        "nl": "Alle uren zijn Belgische tijd.",
        "en": "All times are Belgian time.",
    },
    "no_free_times": {
        "nl": "Er zijn de komende weken geen vrije uren. Probeer het later opnieuw, "
        "of bel Gentinfo op 09 210 10 10.",
        "en": "There are no free times in the coming weeks. Try again later, "
        "or call Gentinfo on 09 210 10 10.",
    },
    "field_name": {"nl": "Naam", "en": "Name"},
    "field_email": {"nl": "E-mailadres", "en": "E-mail address"},
    "field_email_hint": {
        "nl": "We sturen de link naar het gesprek naar dit adres.",
        "en": "We send the link to the call to this address.",
    },
    "field_phone": {"nl": "Telefoonnummer (niet verplicht)", "en": "Phone number (optional)"},
    "field_phone_hint": {
        "nl": "We bellen je alleen als de video niet werkt.",
        "en": "We only call you if the video does not work.",
    },
    "field_language": {"nl": "In welke taal wil je praten?", "en": "Which language do you prefer?"},
    "language_nl": {"nl": "Nederlands", "en": "Dutch"},
    "language_en": {"nl": "Engels", "en": "English"},
    "field_question": {
        "nl": "Wat is je vraag? (niet verplicht, hoogstens 1000 tekens)",
        "en": "What is your question? (optional, 1000 characters at most)",
    },
    "field_consent": {
        "nl": "Ik geef de stad toestemming om mijn naam, e-mailadres, telefoonnummer en vraag "
        "te gebruiken voor deze afspraak.",
        "en": "I allow the city to use my name, e-mail address, phone number and question "
        "for this appointment.",
    },
    "consent_explained": {
        "nl": "We gebruiken je gegevens alleen voor deze afspraak. We wissen ze {days} dagen "
        "na de afspraak. We houden alleen bij welke dienst en welk onderwerp het was, voor "
        "onze cijfers.",
        "en": "We only use your details for this appointment. We erase them {days} days "
        "after the appointment. We only keep which service and topic it was, for our figures.",
    },
    "errors_heading": {
        "nl": "Er is iets niet juist ingevuld:",
        "en": "Something is not filled in correctly:",
    },
    "to_review": {"nl": "Verder naar nakijken", "en": "Continue to check"},
    "change": {"nl": "Wijzig", "en": "Change"},
    "change_service": {"nl": "de dienst", "en": "the service"},
    "change_topic": {"nl": "het onderwerp", "en": "the topic"},
    "change_time": {"nl": "het moment", "en": "the time"},
    "change_details": {"nl": "je gegevens", "en": "your details"},
    "review_phone_none": {"nl": "Niet opgegeven", "en": "Not given"},
    "done_title": {"nl": "Afspraak gemaakt", "en": "Appointment booked"},
    "done_gone": {
        "nl": "We tonen deze bevestiging niet meer. Je vindt je afspraak via de link in je e-mail.",
        "en": "We no longer show this confirmation. You find your appointment through the link "
        "in your e-mail.",
    },
    "book_new": {"nl": "Maak een afspraak", "en": "Book an appointment"},
    "review_service": {"nl": "Dienst", "en": "Service"},
    "review_topic": {"nl": "Onderwerp", "en": "Topic"},
    "review_when": {"nl": "Wanneer", "en": "When"},
    "review_how": {"nl": "Hoe", "en": "How"},
    "review_how_video": {
        "nl": "Videogesprek. Je krijgt meteen een link.",
        "en": "Video call. You get a link straight away.",
    },
    "confirm": {"nl": "Bevestig de afspraak", "en": "Confirm the appointment"},
    "confirming": {"nl": "Even geduld, we maken je afspraak…", "en": "Please wait, booking…"},
    "pow_checking": {
        "nl": "Even controleren dat je geen robot bent…",
        "en": "Just checking that you are not a robot…",
    },
    "done_reference": {"nl": "Je afspraaknummer", "en": "Your appointment number"},
    "join": {"nl": "Deelnemen aan het gesprek", "en": "Join the call"},
    "join_later": {
        "nl": "De knop werkt vanaf 15 minuten voor het gesprek.",
        "en": "The button works from 15 minutes before the call.",
    },
    "join_opens": {
        "nl": "Het gesprek opent op {when}. Vanaf {minutes} minuten vooraf verschijnt hier de knop "
        "om deel te nemen.",
        "en": "The call opens on {when}. From {minutes} minutes before, a button to join appears "
        "here.",
    },
    "join_link": {"nl": "Link naar het gesprek", "en": "Link to the call"},
    "meeting_pending": {
        "nl": "We maken de link naar het gesprek. Je krijgt hem ook per e-mail.",
        "en": "We are making the link to the call. You also get it by e-mail.",
    },
    "add_to_calendar": {"nl": "Zet in je agenda (.ics)", "en": "Add to your calendar (.ics)"},
    "manage_intro": {
        "nl": "Wil je de afspraak verzetten of annuleren? Gebruik deze persoonlijke link:",
        "en": "Want to move or cancel the appointment? Use this personal link:",
    },
    "manage_link": {"nl": "Mijn afspraak bekijken", "en": "View my appointment"},
    "email_on_way": {
        "nl": "We sturen je ook een e-mail met alle informatie.",
        "en": "We also send you an e-mail with all the information.",
    },
    "book_another": {"nl": "Nog een afspraak maken", "en": "Book another appointment"},
    "minutes": {"nl": "minuten", "en": "minutes"},
    "manage_title": {"nl": "Mijn afspraak", "en": "My appointment"},
    "manage_details": {"nl": "Gegevens van je afspraak", "en": "Details of your appointment"},
    "manage_not_found": {
        "nl": "We vinden deze afspraak niet. Kijk of je de volledige link uit de e-mail gebruikt.",
        "en": "We cannot find this appointment. Check that you use the full link from the e-mail.",
    },
    "status_booked": {"nl": "Gepland", "en": "Booked"},
    "status_cancelled": {"nl": "Geannuleerd", "en": "Cancelled"},
    "status_completed": {"nl": "Afgelopen", "en": "Completed"},
    "status_no_show": {"nl": "Niet deelgenomen", "en": "Did not attend"},
    "review_status": {"nl": "Status", "en": "Status"},
    "move": {"nl": "Verzetten naar een ander moment", "en": "Move to another time"},
    "cancel": {"nl": "Afspraak annuleren", "en": "Cancel the appointment"},
    "move_heading": {"nl": "Kies een nieuw moment", "en": "Choose a new time"},
    "move_confirm_heading": {"nl": "Nieuw moment bevestigen", "en": "Confirm the new time"},
    "move_from": {"nl": "Nu", "en": "Now"},
    "move_to": {"nl": "Nieuw", "en": "New"},
    "move_confirm": {"nl": "Verzet de afspraak", "en": "Move the appointment"},
    "moved": {
        "nl": "Je afspraak is verzet. De link naar het gesprek blijft dezelfde.",
        "en": "Your appointment has been moved. The link to the call stays the same.",
    },
    "cancel_heading": {"nl": "Afspraak annuleren", "en": "Cancel the appointment"},
    "cancel_reason": {
        "nl": "Waarom annuleer je? (niet verplicht)",
        "en": "Why do you cancel? (optional)",
    },
    "cancel_confirm": {"nl": "Ja, annuleer de afspraak", "en": "Yes, cancel the appointment"},
    "keep": {"nl": "Nee, terug", "en": "No, go back"},
    "cancelled_done": {
        "nl": "Je afspraak is geannuleerd. We sturen je een e-mail.",
        "en": "Your appointment has been cancelled. We send you an e-mail.",
    },
    "not_changeable_note": {
        "nl": "Deze afspraak kan je niet meer wijzigen.",
        "en": "You can no longer change this appointment.",
    },
    "staff_title": {"nl": "Medewerkers", "en": "Staff"},
    "staff_sign_in": {"nl": "Aanmelden als medewerker", "en": "Staff sign-in"},
    "staff_password": {"nl": "Wachtwoord", "en": "Password"},
    "staff_sign_in_button": {"nl": "Aanmelden", "en": "Sign in"},
    "staff_sign_out": {"nl": "Afmelden", "en": "Sign out"},
    "staff_signed_out": {"nl": "Je bent afgemeld.", "en": "You are signed out."},
    "staff_error_invalid": {
        "nl": "Het e-mailadres of het wachtwoord klopt niet.",
        "en": "The e-mail address or the password is not right.",
    },
    "staff_error_rate_limited": {
        "nl": "Te veel pogingen. Wacht even en probeer opnieuw.",
        "en": "Too many attempts. Wait a moment and try again.",
    },
    "staff_error_wait": {
        "nl": "Te veel pogingen. Wacht {seconds} seconden en probeer dan opnieuw.",
        "en": "Too many attempts. Wait {seconds} seconds and then try again.",
    },
    "staff_error_unavailable": {
        "nl": "Aanmelden lukt nu niet. Probeer het zo opnieuw.",
        "en": "Signing in is not possible right now. Try again in a moment.",
    },
    "staff_today": {"nl": "Mijn afspraken vandaag", "en": "My appointments today"},
    "staff_none_today": {"nl": "Je hebt vandaag geen afspraken.", "en": "No appointments today."},
    "staff_question": {"nl": "Vraag", "en": "Question"},
    "staff_language": {"nl": "Taal", "en": "Language"},
    "staff_link_failed": {
        "nl": "De link naar het gesprek kon niet gemaakt worden.",
        "en": "The link to the call could not be made.",
    },
    "staff_outcome": {"nl": "Resultaat van het gesprek", "en": "Outcome of the call"},
    "outcome_resolved": {"nl": "Opgelost", "en": "Resolved"},
    "outcome_follow_up": {"nl": "Opvolging nodig", "en": "Follow-up needed"},
    "outcome_referred": {"nl": "Doorverwezen", "en": "Referred"},
    "outcome_in_person": {"nl": "Moet langskomen aan het loket", "en": "Needs an in-person visit"},
    "staff_note": {"nl": "Interne notitie", "en": "Internal note"},
    "staff_save_outcome": {"nl": "Afronden", "en": "Complete"},
    "staff_no_show": {"nl": "Niet komen opdagen", "en": "No-show"},
    "staff_saved": {"nl": "Opgeslagen.", "en": "Saved."},
    "staff_not_saved": {
        "nl": "Niet opgeslagen: deze afspraak kan je (nu) niet zo afronden.",
        "en": "Not saved: you cannot complete this appointment that way (now).",
    },
    "footer_privacy": {
        "nl": "We gebruiken je gegevens alleen voor je afspraak.",
        "en": "We only use your data for your appointment.",
    },
}

ERRORS: dict[str, dict[str, str]] = {
    "error_name_required": {"nl": "Vul je naam in.", "en": "Enter your name."},
    "error_name_too_long": {
        "nl": "Je naam is te lang (hoogstens 200 tekens).",
        "en": "Your name is too long (200 characters at most).",
    },
    "error_email_required": {"nl": "Vul je e-mailadres in.", "en": "Enter your e-mail address."},
    "error_email_invalid": {
        "nl": "Dit e-mailadres klopt niet. Bijvoorbeeld: naam@voorbeeld.be",
        "en": "This e-mail address is not right. For example: name@example.be",
    },
    "error_phone_invalid": {
        "nl": "Dit telefoonnummer klopt niet. Bijvoorbeeld: 0470 12 34 56 of +32 470 12 34 56",
        "en": "This phone number is not right. For example: 0470 12 34 56 or +32 470 12 34 56",
    },
    "error_question_too_long": {
        "nl": "Je vraag is te lang (hoogstens 1000 tekens).",
        "en": "Your question is too long (1000 characters at most).",
    },
    "error_language_invalid": {
        "nl": "Kies Nederlands of Engels.",
        "en": "Choose Dutch or English.",
    },
    "error_consent_required": {
        "nl": "Geef toestemming om je gegevens voor deze afspraak te gebruiken.",
        "en": "Give permission to use your details for this appointment.",
    },
    "error_slot_taken": {
        "nl": "Dit tijdstip is net door iemand anders gekozen. Kies een ander tijdstip. "
        "Je gegevens blijven bewaard.",
        "en": "Someone else has just taken this time. Choose another time. Your details are kept.",
    },
    "error_busy": {
        "nl": "Het is heel druk. Je afspraak is nog niet gemaakt. Probeer het zo opnieuw; "
        "je gegevens blijven bewaard.",
        "en": "It is very busy. Your appointment has not been made yet. Try again in a moment; "
        "your details are kept.",
    },
    "error_not_bookable": {
        "nl": "Dit onderwerp kan niet via video.",
        "en": "This topic cannot be handled by video.",
    },
    "error_unknown_service": {
        "nl": "Deze dienst bestaat niet of neemt geen afspraken.",
        "en": "This service does not exist or does not take appointments.",
    },
    "error_unknown_topic": {
        "nl": "Dit onderwerp bestaat niet bij deze dienst.",
        "en": "This topic does not exist for this service.",
    },
    "error_idempotency_reused": {
        "nl": "Deze aanvraag werd al eens met andere gegevens verstuurd. Begin opnieuw; "
        "je gegevens blijven bewaard.",
        "en": "This request was already sent once with other details. Start again; "
        "your details are kept.",
    },
    "error_not_changeable": {
        "nl": "Deze afspraak kan niet meer gewijzigd worden.",
        "en": "This appointment can no longer be changed.",
    },
    "error_rate_limited": {
        "nl": "Er zijn het voorbije uur al veel afspraken gemaakt vanaf deze aansluiting of met "
        "deze gegevens. Je afspraak is niet gemaakt. Probeer het over een uur opnieuw of bel "
        "ons; je gegevens blijven bewaard.",
        "en": "Many appointments were made from this connection or with these details in the "
        "past hour. Your appointment has not been made. Try again in an hour or call us; "
        "your details are kept.",
    },
    "error_too_many_active": {
        "nl": "Met dit e-mailadres zijn al genoeg afspraken gepland. Annuleer eerst een "
        "afspraak die je niet nodig hebt (met de link in je e-mail) of bel ons.",
        "en": "Enough appointments are already planned with this e-mail address. First cancel "
        "one you do not need (with the link in your e-mail) or call us.",
    },
    "error_identification_required": {
        "nl": "Voor dit onderwerp moet je je eerst aanmelden met itsme of eID.",
        "en": "For this topic you first need to sign in with itsme or eID.",
    },
    "error_challenge": {
        "nl": "We konden niet nagaan dat je geen robot bent. Druk nog eens op de knop; je "
        "gegevens blijven bewaard.",
        "en": "We could not check that you are not a robot. Press the button again; your "
        "details are kept.",
    },
}
TEXTS.update(ERRORS)

CHANNEL_REASONS: dict[str, dict[str, str]] = {
    "in_person": {
        "nl": "Dit kan alleen aan het loket.",
        "en": "This can only be done at the counter.",
    },
    "needs_identification": {
        "nl": "Hiervoor moeten we zeker weten wie je bent. Dat kan nog niet via video.",
        "en": "We need to check who you are. That is not possible by video yet.",
    },
    "needs_document_exchange": {
        "nl": "Hiervoor moeten we documenten van je krijgen of aan je geven. "
        "Dat kan nog niet via video.",
        "en": "We need to exchange documents with you. That is not possible by video yet.",
    },
    "needs_signature": {
        "nl": "Hiervoor moet je iets ondertekenen. Dat kan nog niet via video.",
        "en": "You need to sign something. That is not possible by video yet.",
    },
}


def normalise_language(language: object) -> str:
    """A supported language code for any input (falls back to Dutch)."""
    if isinstance(language, str) and language.lower() in LANGUAGES:
        return language.lower()
    return DEFAULT_LANGUAGE


def pick(text: dict[str, str] | None, language: str) -> str:
    """The text in ``language``, else Dutch, else any language, else an empty string."""
    if not text:
        return ""
    for code in (language, DEFAULT_LANGUAGE, *text):
        if text.get(code):
            return text[code]
    return ""


def ui_text(key: str, language: str) -> str:
    """An interface text in ``language``."""
    return pick(TEXTS[key], language)


DAY_NAMES = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def format_day(day: date, language: str) -> str:
    """A day in words, e.g. 'maandag 30 maart 2026' or 'Monday 30 March 2026'."""
    language = normalise_language(language)
    weekday = DAY_NAMES[language][day.weekday()]
    return f"{weekday} {day.day} {MONTH_NAMES[language][day.month - 1]} {day.year}"


def format_short_day(day: date, language: str) -> str:
    """A day without the year, e.g. 'ma 30 maart' or 'Mon 30 March'."""
    language = normalise_language(language)
    weekday = DAY_NAMES[language][day.weekday()][: 2 if language == "nl" else 3]
    return f"{weekday} {day.day} {MONTH_NAMES[language][day.month - 1]}"


def format_moment(moment: datetime, language: str) -> str:
    """A local date and time in words, e.g. 'maandag 30 maart 2026 om 09:00'."""
    joiner = " om " if normalise_language(language) == "nl" else " at "
    return format_day(moment.date(), language) + joiner + moment.strftime("%H:%M")


def _merge_area_texts() -> None:
    """Add the texts of every area module in balie.texts; a key defined twice is a bug."""
    from balie import texts

    for name in AREAS:
        area = importlib.import_module(f"{texts.__name__}.{name}")
        for key, table in area.TEXTS.items():
            if key in TEXTS:
                raise KeyError(f"interface text {key!r} is defined twice ({area.__name__})")
            TEXTS[key] = table


AREAS = (
    "navigation",
    "staff_work",
    "agent",
    "hours",
    "admin",
    "data_requests",
    "dashboard",
    "feedback",
    "entra",
    "not_requested",
    "abuse",
    "documents",
    "identity",
    "organisation",
)
_merge_area_texts()
