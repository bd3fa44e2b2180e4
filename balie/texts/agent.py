"""Texts of booking for a citizen and finding an appointment (contact centre)."""

TEXTS: dict[str, dict[str, str]] = {
    # Booking for a caller (/medewerkers/boeken)
    "agent_book_title": {"nl": "Boeken voor een burger", "en": "Book for a citizen"},
    "agent_step_label": {"nl": "Stap", "en": "Step"},
    "agent_step_of": {"nl": "van 5", "en": "of 5"},
    "agent_step_service": {
        "nl": "Met welke dienst wil de burger praten?",
        "en": "Which service does the caller need?",
    },
    "agent_step_topic": {"nl": "Waarover gaat het?", "en": "What is it about?"},
    "agent_not_by_video": {
        "nl": "Niet via video. Zeg dit aan de burger:",
        "en": "Not by video. Tell the caller:",
    },
    "agent_step_time": {
        "nl": "Kies samen met de burger een dag en een uur",
        "en": "Choose a day and a time with the caller",
    },
    "agent_step_details": {"nl": "Gegevens van de burger", "en": "The caller's details"},
    "agent_field_name": {"nl": "Naam van de burger", "en": "Caller's name"},
    "agent_field_email": {"nl": "E-mailadres van de burger", "en": "Caller's e-mail address"},
    "agent_field_email_hint": {
        "nl": "Hierop krijgt de burger de link naar het gesprek en de link om de afspraak te "
        "beheren. Lees het adres terug om het te controleren.",
        "en": "The caller gets the link to the call and the link to manage the appointment at "
        "this address. Read it back to check it.",
    },
    "agent_field_phone": {
        "nl": "Telefoonnummer van de burger (niet verplicht)",
        "en": "Caller's phone number (optional)",
    },
    "agent_field_phone_hint": {
        "nl": "Alleen om te bellen als de video niet werkt.",
        "en": "Only used to call if the video does not work.",
    },
    "agent_field_language": {
        "nl": "Taal van het gesprek en de e-mails",
        "en": "Language of the call and the e-mails",
    },
    "agent_field_question": {
        "nl": "Vraag van de burger (niet verplicht, hoogstens 1000 tekens)",
        "en": "The caller's question (optional, 1000 characters at most)",
    },
    "agent_consent_read": {
        "nl": "Lees voor: 'We gebruiken uw naam, e-mailadres, telefoonnummer en vraag alleen "
        "voor deze afspraak. We wissen ze {days} dagen na de afspraak. Gaat u akkoord?'",
        "en": "Read out: 'We only use your name, e-mail address, phone number and question for "
        "this appointment. We erase them {days} days after the appointment. Do you agree?'",
    },
    "agent_field_consent": {
        "nl": "De burger gaat akkoord dat we deze gegevens voor de afspraak gebruiken.",
        "en": "The caller agrees that we use these details for the appointment.",
    },
    "agent_errors_heading": {
        "nl": "Er is iets niet juist ingevuld:",
        "en": "Something is not filled in correctly:",
    },
    "agent_to_review": {"nl": "Verder naar nakijken", "en": "Continue to check"},
    "agent_step_review": {
        "nl": "Lees de afspraak voor en bevestig",
        "en": "Read the appointment out and confirm",
    },
    "agent_review_phone": {"nl": "Telefoon", "en": "Phone"},
    "agent_review_language": {"nl": "Taal", "en": "Language"},
    "agent_review_question": {"nl": "Vraag", "en": "Question"},
    "agent_review_channel": {"nl": "Geboekt via", "en": "Booked through"},
    "agent_channel_contact_centre": {
        "nl": "Gentinfo (contactcenter)",
        "en": "Gentinfo (contact centre)",
    },
    "agent_confirm": {"nl": "Bevestig de afspraak", "en": "Confirm the appointment"},
    "agent_confirming": {"nl": "Even geduld, we boeken…", "en": "Please wait, booking…"},
    "agent_step_done": {"nl": "De afspraak is gemaakt", "en": "The appointment is booked"},
    "agent_reference": {"nl": "Afspraaknummer", "en": "Appointment number"},
    "agent_email_sent": {
        "nl": "De burger krijgt een e-mail met de link en een link om de afspraak te beheren.",
        "en": "The citizen gets an e-mail with the link and a link to manage the appointment.",
    },
    "agent_book_another": {"nl": "Nog een afspraak boeken", "en": "Book another appointment"},
    "agent_back": {"nl": "Terug", "en": "Back"},
    "agent_slot_taken": {
        "nl": "Dit uur is intussen door iemand anders gekozen. Kies samen met de burger een "
        "ander uur. De gegevens blijven bewaard.",
        "en": "Someone else has just taken this time. Choose another time with the caller. "
        "The details are kept.",
    },
    "agent_busy": {
        "nl": "Het is heel druk. Er is nog niets gewijzigd. Probeer het zo opnieuw; de gegevens "
        "blijven bewaard.",
        "en": "It is very busy. Nothing has changed yet. Try again in a moment; the details "
        "are kept.",
    },
    "agent_unavailable": {
        "nl": "Deze dienst of dit onderwerp kan nu niet geboekt worden. Kies opnieuw.",
        "en": "This service or topic cannot be booked right now. Choose again.",
    },
    # Finding an appointment for a caller (/medewerkers/zoeken)
    "agent_find_title": {"nl": "Afspraak zoeken", "en": "Find an appointment"},
    "agent_find_heading": {
        "nl": "Zoek met afspraaknummer en e-mailadres",
        "en": "Search by appointment number and e-mail address",
    },
    "agent_find_intro": {
        "nl": "Vraag de burger naar het afspraaknummer en het e-mailadres waarmee de afspraak "
        "gemaakt is. Beide moeten kloppen.",
        "en": "Ask the caller for the appointment number and the e-mail address the "
        "appointment was made with. Both must match.",
    },
    "agent_find_reference": {"nl": "Afspraaknummer", "en": "Appointment number"},
    "agent_find_reference_hint": {
        "nl": "Bijvoorbeeld K7QX-3MPA. Kleine letters en spaties mogen.",
        "en": "For example K7QX-3MPA. Lower case and spaces are fine.",
    },
    "agent_find_email": {"nl": "E-mailadres van de burger", "en": "Caller's e-mail address"},
    "agent_find_button": {"nl": "Zoek de afspraak", "en": "Find the appointment"},
    "agent_find_required": {
        "nl": "Vul het afspraaknummer en het e-mailadres in.",
        "en": "Fill in the appointment number and the e-mail address.",
    },
    "agent_not_found": {
        "nl": "We vinden geen afspraak met dit afspraaknummer en dit e-mailadres. Vraag de "
        "burger om beide nog eens na te kijken.",
        "en": "We find no appointment with this number and this e-mail address. Ask the caller "
        "to check both again.",
    },
    "agent_rate_limited": {
        "nl": "Te veel zoekopdrachten zonder resultaat. Wacht 10 minuten en probeer opnieuw.",
        "en": "Too many searches without a result. Wait 10 minutes and try again.",
    },
    "agent_found_heading": {"nl": "Afspraak van de burger", "en": "The caller's appointment"},
    "agent_citizen": {"nl": "Burger", "en": "Citizen"},
    "agent_move": {"nl": "Verzetten", "en": "Move"},
    "agent_cancel": {"nl": "Annuleren", "en": "Cancel"},
    "agent_new_search": {"nl": "Nieuwe zoekopdracht", "en": "New search"},
    "agent_move_heading": {
        "nl": "Kies samen met de burger een nieuw moment",
        "en": "Choose a new time with the caller",
    },
    "agent_move_confirm_heading": {"nl": "Nieuw moment bevestigen", "en": "Confirm the new time"},
    "agent_move_confirm": {"nl": "Verzet de afspraak", "en": "Move the appointment"},
    "agent_cancel_heading": {"nl": "Afspraak annuleren", "en": "Cancel the appointment"},
    "agent_cancel_reason": {
        "nl": "Reden (niet verplicht). De burger leest deze reden in de e-mail.",
        "en": "Reason (optional). The caller reads this reason in the e-mail.",
    },
    "agent_cancel_confirm": {"nl": "Ja, annuleer de afspraak", "en": "Yes, cancel the appointment"},
    "agent_keep": {"nl": "Nee, terug", "en": "No, go back"},
    "agent_moved": {
        "nl": "De afspraak is verzet. De burger krijgt een e-mail. De link naar het gesprek "
        "blijft dezelfde.",
        "en": "The appointment has been moved. The caller gets an e-mail. The link to the call "
        "stays the same.",
    },
    "agent_cancelled": {
        "nl": "De afspraak is geannuleerd. De burger krijgt een e-mail.",
        "en": "The appointment has been cancelled. The caller gets an e-mail.",
    },
    "agent_not_changeable": {
        "nl": "Deze afspraak is voorbij of geannuleerd. Je kan ze niet meer verzetten of "
        "annuleren.",
        "en": "This appointment is over or cancelled. You can no longer move or cancel it.",
    },
    "agent_gone": {
        "nl": "Deze afspraak bestaat niet meer. Zoek opnieuw.",
        "en": "This appointment no longer exists. Search again.",
    },
}
