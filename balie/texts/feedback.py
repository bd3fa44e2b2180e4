"""Texts of the citizen survey and the privacy notice."""

TEXTS: dict[str, dict[str, str]] = {
    # --- survey page /tevredenheid ---------------------------------------------------------
    "feedback_title": {"nl": "Jouw mening", "en": "Your opinion"},
    "feedback_intro": {
        "nl": "Je had een videogesprek met de stad. We willen graag weten hoe het ging. "
        "Het is maar één vraag.",
        "en": "You had a video call with the city. We would like to know how it went. "
        "It is only one question.",
    },
    "feedback_question": {
        "nl": "Hoe tevreden ben je over het videogesprek?",
        "en": "How satisfied are you with the video call?",
    },
    "feedback_score_1": {"nl": "1 – heel ontevreden", "en": "1 – very dissatisfied"},
    "feedback_score_2": {"nl": "2 – ontevreden", "en": "2 – dissatisfied"},
    "feedback_score_3": {"nl": "3 – niet tevreden en niet ontevreden", "en": "3 – neutral"},
    "feedback_score_4": {"nl": "4 – tevreden", "en": "4 – satisfied"},
    "feedback_score_5": {"nl": "5 – heel tevreden", "en": "5 – very satisfied"},
    "feedback_comment_label": {
        "nl": "Wil je nog iets zeggen? (niet verplicht, hoogstens 1000 tekens)",
        "en": "Anything else you want to tell us? (optional, 1000 characters at most)",
    },
    "feedback_comment_hint": {
        "nl": "Schrijf hier geen persoonlijke gegevens, zoals je rijksregisternummer.",
        "en": "Do not write personal details here, such as your national register number.",
    },
    "feedback_send": {"nl": "Verstuur", "en": "Send"},
    "feedback_thanks_heading": {"nl": "Bedankt!", "en": "Thank you!"},
    "feedback_thanks": {
        "nl": "We hebben je antwoord goed ontvangen. Zo kunnen we onze dienstverlening verbeteren.",
        "en": "We have received your answer. It helps us improve our service.",
    },
    "feedback_answered_heading": {"nl": "Al beantwoord", "en": "Already answered"},
    "feedback_already_answered": {
        "nl": "Je hebt deze vraag al beantwoord. Bedankt!",
        "en": "You have already answered this question. Thank you!",
    },
    "feedback_invalid_heading": {"nl": "Deze link werkt niet", "en": "This link does not work"},
    "feedback_invalid_link": {
        "nl": "Deze link werkt niet. Kijk of je de volledige link uit de e-mail hebt gebruikt.",
        "en": "This link does not work. Check that you used the whole link from the e-mail.",
    },
    "feedback_unavailable_heading": {"nl": "Niet meer mogelijk", "en": "No longer possible"},
    "feedback_unavailable": {
        "nl": "Je kunt deze vraag niet (meer) beantwoorden.",
        "en": "You cannot answer this question (any more).",
    },
    "feedback_error_score": {
        "nl": "Kies een antwoord van 1 tot 5.",
        "en": "Choose an answer from 1 to 5.",
    },
    "feedback_error_comment": {
        "nl": "Je opmerking is te lang. Gebruik hoogstens 1000 tekens.",
        "en": "Your comment is too long. Use 1000 characters at most.",
    },
    "feedback_error_busy": {
        "nl": "Er ging iets mis. Probeer het zo meteen opnieuw.",
        "en": "Something went wrong. Please try again in a moment.",
    },
    # --- privacy notice /privacy --------------------------------------------------------------
    "privacy_link": {"nl": "Meer over je privacy", "en": "More about your privacy"},
    "privacy_read_more": {
        "nl": "Lees meer over je privacy (opent in een nieuw venster)",
        "en": "Read more about your privacy (opens in a new window)",
    },
    "privacy_title": {"nl": "Privacy", "en": "Privacy"},
    "privacy_intro": {
        "nl": "Hier lees je welke gegevens de Digitale Balie van je bijhoudt, waarom, wie ze "
        "ziet en hoe lang we ze bewaren.",
        "en": "Here you can read which details the Digital Counter keeps about you, why, who "
        "sees them and how long we keep them.",
    },
    "privacy_what_heading": {"nl": "Wat we bijhouden", "en": "What we keep"},
    "privacy_what_intro": {
        "nl": "Als je een afspraak maakt, houden we dit bij:",
        "en": "When you book an appointment, we keep:",
    },
    "privacy_what_name": {"nl": "je naam", "en": "your name"},
    "privacy_what_email": {"nl": "je e-mailadres", "en": "your e-mail address"},
    "privacy_what_phone": {
        "nl": "je telefoonnummer, als je het invult",
        "en": "your phone number, if you give it",
    },
    "privacy_what_question": {
        "nl": "je vraag, als je ze invult",
        "en": "your question, if you give it",
    },
    "privacy_what_notes": {
        "nl": "de notities die de medewerker na het gesprek maakt",
        "en": "the notes the staff member makes after the call",
    },
    "privacy_what_feedback": {
        "nl": "je opmerking bij de tevredenheidsvraag, als je die geeft",
        "en": "your comment in the satisfaction survey, if you give one",
    },
    "privacy_why_heading": {"nl": "Waarom", "en": "Why"},
    "privacy_why": {
        "nl": "We gebruiken je gegevens om je afspraak te houden, om je de link naar het "
        "gesprek en herinneringen te sturen, en om onze dienstverlening te verbeteren. We "
        "gebruiken ze niet voor iets anders en we verkopen ze niet.",
        "en": "We use your details to hold your appointment, to send you the link to the call "
        "and reminders, and to improve our service. We do not use them for anything else and "
        "we do not sell them.",
    },
    "privacy_who_heading": {"nl": "Wie je gegevens ziet", "en": "Who sees your details"},
    "privacy_who": {
        "nl": "De medewerkers van de dienst waarmee je praat, hun leidinggevenden en de "
        "medewerkers van het contactcenter die je helpen. Zij zien alleen wat ze voor hun werk "
        "nodig hebben. We houden bij wie je gegevens bekijkt of wijzigt.",
        "en": "The staff of the service you talk to, their managers and the contact centre "
        "staff who help you. They only see what they need for their work. We record who views "
        "or changes your details.",
    },
    "privacy_how_long_heading": {"nl": "Hoe lang", "en": "How long"},
    "privacy_how_long": {
        "nl": "We wissen je gegevens {days} dagen na de afspraak. Dat geldt ook voor een "
        "afspraak die je annuleert.",
        "en": "We erase your details {days} days after the appointment. This also applies to "
        "an appointment you cancel.",
    },
    "privacy_kept": {
        "nl": "Daarna houden we alleen bij wat we nodig hebben voor onze cijfers: de dienst, "
        "het onderwerp, de tijden, hoe je de afspraak maakte (website of contactcenter), of het "
        "gesprek doorging, het resultaat en je score van 1 tot 5. Daaruit kan niemand afleiden "
        "wie je bent.",
        "en": "After that we only keep what we need for our figures: the service, the topic, "
        "the times, how you booked (website or contact centre), whether the call took place, "
        "the outcome and your score from 1 to 5. Nobody can tell from this who you are.",
    },
    "privacy_meeting_heading": {"nl": "Het videogesprek", "en": "The video call"},
    "privacy_meeting_teams": {
        "nl": "Het videogesprek loopt via Microsoft Teams. De stad maakt het gesprek aan met "
        "de dienst, het onderwerp, het tijdstip en de referentie van je afspraak. Je naam, "
        "e-mailadres en telefoonnummer geven we niet door.",
        "en": "The video call runs on Microsoft Teams. The city sets up the call with the "
        "service, the topic, the time and the reference of your appointment. We do not pass on "
        "your name, e-mail address or phone number.",
    },
    "privacy_meeting_jitsi": {
        "nl": "Het videogesprek loopt via Jitsi Meet. We geven geen gegevens van je afspraak "
        "door aan Jitsi Meet. Je krijgt een link naar een gesprek dat niemand kan raden.",
        "en": "The video call runs on Jitsi Meet. We do not pass on any details of your "
        "appointment to Jitsi Meet. You get a link to a call that nobody can guess.",
    },
    "privacy_question_shared": {
        "nl": "Je vraag staat ook in het gesprek in {provider}, zodat de medewerker ze kan lezen.",
        "en": "Your question is also in the call in {provider}, so the staff member can read it.",
    },
    "privacy_question_not_shared": {
        "nl": "Je vraag geven we niet door aan {provider}.",
        "en": "We do not pass on your question to {provider}.",
    },
    "privacy_rights_heading": {"nl": "Je rechten", "en": "Your rights"},
    "privacy_rights": {
        "nl": "Je mag vragen welke gegevens we van je hebben, en je mag vragen om ze te wissen. "
        "Neem daarvoor contact op met de stad. Vermeld je e-mailadres en de referentie van je "
        "afspraak.",
        "en": "You may ask which details we have about you, and you may ask us to erase them. "
        "Contact the city to do so. Mention your e-mail address and the reference of your "
        "appointment.",
    },
}
