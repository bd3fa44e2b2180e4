"""Texts of the page behind the 'not requested by you?' link in every appointment e-mail."""

TEXTS: dict[str, dict[str, str]] = {
    "not_requested_title": {"nl": "Niet door jou aangevraagd?", "en": "Not requested by you?"},
    "not_requested_ask_heading": {
        "nl": "Afspraak annuleren en e-mails stoppen",
        "en": "Cancel the appointment and stop the e-mails",
    },
    "not_requested_intro": {
        "nl": "Heb je deze afspraak niet zelf gemaakt? Dan annuleren we ze. "
        "We sturen ook geen e-mails meer naar jouw adres.",
        "en": "Did you not make this appointment yourself? Then we cancel it. "
        "We also send no more e-mails to your address.",
    },
    "not_requested_confirm": {
        "nl": "Annuleer en stuur geen e-mails meer",
        "en": "Cancel and stop the e-mails",
    },
    "not_requested_done_heading": {"nl": "Gedaan", "en": "Done"},
    "not_requested_done_cancelled": {
        "nl": "De afspraak is geannuleerd. We sturen geen e-mails meer naar dit adres.",
        "en": "The appointment is cancelled. We send no more e-mails to this address.",
    },
    "not_requested_done_suppressed": {
        "nl": "We sturen geen e-mails meer naar dit adres.",
        "en": "We send no more e-mails to this address.",
    },
    "not_requested_mail_again": {
        "nl": "Wil je later toch weer e-mails van ons? Bel dan het contactcenter en "
        "maak daar een afspraak.",
        "en": "Do you want e-mails from us again later? Then call the contact centre and "
        "book an appointment there.",
    },
    "not_requested_invalid_heading": {
        "nl": "Deze link werkt niet",
        "en": "This link does not work",
    },
    "not_requested_invalid": {
        "nl": "Kijk of je de hele link uit de e-mail gebruikt.",
        "en": "Check that you use the whole link from the e-mail.",
    },
    "not_requested_error": {
        "nl": "Er ging iets mis. Er is nog niets veranderd. Probeer het zo opnieuw.",
        "en": "Something went wrong. Nothing has changed yet. Try again in a moment.",
    },
}
