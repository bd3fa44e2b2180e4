"""Texts of the document exchange: the manage page (citizen) and the call card (counsellor)."""

TEXTS: dict[str, dict[str, str]] = {
    "doc_heading": {"nl": "Documenten", "en": "Documents"},
    "doc_requested_intro": {
        "nl": "Voor dit gesprek vragen we deze documenten:",
        "en": "For this call we ask for these documents:",
    },
    "doc_upload_label": {"nl": "Document sturen", "en": "Send a document"},
    "doc_upload_hint": {
        "nl": "Je kunt een PDF of een foto (PNG of JPEG) sturen, tot 3 bestanden tegelijk. "
        "Wij controleren elk bestand op virussen. Grootte per bestand: ten hoogste",
        "en": "You can send a PDF or a photo (PNG or JPEG), up to 3 files at once. "
        "We check every file for viruses. Size per file: at most",
    },
    "doc_choose": {
        "nl": "Kies een bestand (druk op Enter) of sleep het hierheen",
        "en": "Choose a file (press Enter) or drag it here",
    },
    "doc_chosen": {"nl": "Gekozen:", "en": "Chosen:"},
    "doc_send": {"nl": "Verstuur", "en": "Send"},
    "doc_list": {"nl": "Gestuurde documenten", "en": "Documents sent"},
    "doc_none": {"nl": "Er zijn nog geen documenten.", "en": "There are no documents yet."},
    "doc_from_citizen": {"nl": "van de burger", "en": "from the citizen"},
    "doc_from_you": {"nl": "van jou", "en": "from you"},
    "doc_from_city": {"nl": "van de stad", "en": "from the city"},
    "doc_checking": {"nl": "wordt gecontroleerd", "en": "being checked"},
    "doc_download": {"nl": "Download", "en": "Download"},
    "doc_uploaded": {
        "nl": "Het document is ontvangen en gecontroleerd.",
        "en": "The document was received and checked.",
    },
    "doc_virus": {
        "nl": "Dit bestand bevat een virus. We hebben het niet bewaard. Stuur een ander bestand.",
        "en": "This file contains a virus. We did not keep it. Send another file.",
    },
    "doc_wrong_type": {
        "nl": "Dit soort bestand nemen we niet aan. Stuur een PDF of een foto (PNG of JPEG).",
        "en": "We do not accept this kind of file. Send a PDF or a photo (PNG or JPEG).",
    },
    "doc_too_big": {
        "nl": "Dit bestand is te groot. Maak het kleiner (bijvoorbeeld een foto met minder "
        "pixels) en probeer opnieuw.",
        "en": "This file is too big. Make it smaller (for example a photo with fewer pixels) "
        "and try again.",
    },
    "doc_scanner_down": {
        "nl": "We kunnen bestanden nu niet op virussen controleren. We hebben je bestand niet "
        "bewaard. Probeer het later opnieuw.",
        "en": "We cannot check files for viruses right now. We did not keep your file. "
        "Please try again later.",
    },
    "doc_too_many": {
        "nl": "Bij deze afspraak kunnen geen documenten meer bij. Het maximum is bereikt.",
        "en": "No more documents can be added to this appointment. The maximum is reached.",
    },
    "doc_rate_limited": {
        "nl": "Er zijn veel bestanden na elkaar gestuurd. Wacht een uur en probeer dan opnieuw.",
        "en": "Many files were sent in a row. Wait an hour and then try again.",
    },
    "doc_empty": {"nl": "Dit bestand is leeg.", "en": "This file is empty."},
    "doc_closed": {
        "nl": "Bij deze afspraak kun je geen documenten meer sturen.",
        "en": "You can no longer send documents for this appointment.",
    },
    "doc_no_file": {"nl": "Kies eerst een bestand.", "en": "Choose a file first."},
    "doc_sign_in": {
        "nl": "Meld u aan met itsme of eID om documenten te delen",
        "en": "Sign in with itsme or eID to share documents",
    },
    "doc_sign_in_why": {
        "nl": "Voor deze afspraak moesten we zeker weten wie je bent. Daarom zie en stuur je "
        "documenten pas als je je aanmeldt. Meld je aan als de persoon van de afspraak.",
        "en": "For this appointment we had to be sure who you are. So you see and send "
        "documents only after you sign in. Sign in as the person of the appointment.",
    },
    "doc_sign_in_other": {
        "nl": "Je bent aangemeld als iemand anders dan de persoon van deze afspraak. Daarom "
        "zie je de documenten niet.",
        "en": "You are signed in as someone other than the person of this appointment. So "
        "you do not see the documents.",
    },
    "doc_sign_in_failed": {
        "nl": "Het aanmelden is niet gelukt. Probeer het opnieuw.",
        "en": "Signing in did not work. Please try again.",
    },
    "doc_sign_in_needed": {
        "nl": "Meld je eerst aan met itsme of eID. Daarna kun je documenten sturen.",
        "en": "First sign in with itsme or eID. Then you can send documents.",
    },
    "doc_staff_add": {"nl": "Document toevoegen", "en": "Add a document"},
    "doc_staff_heading": {
        "nl": "Document toevoegen voor de burger",
        "en": "Add a document for the citizen",
    },
    "doc_staff_for": {"nl": "Afspraak", "en": "Appointment"},
    "doc_close": {"nl": "Sluiten", "en": "Close"},
    "privacy_what_documents": {
        "nl": "de documenten die jij of de medewerker voor het gesprek sturen. We bewaren ze "
        "versleuteld en controleren ze op virussen. Alleen jij (met je persoonlijke link) en "
        "de medewerkers van de dienst kunnen ze openen; elke keer dat iemand een document "
        "opent, schrijven we dat op.",
        "en": "the documents you or the staff member send for the call. We keep them encrypted "
        "and check them for viruses. Only you (with your personal link) and the staff of the "
        "service can open them; every time someone opens a document, we write that down.",
    },
}

# Message keys, in the order of their weight (the first problem of an upload is shown).
DOCUMENT_MESSAGES = [
    "doc_uploaded",
    "doc_virus",
    "doc_wrong_type",
    "doc_too_big",
    "doc_scanner_down",
    "doc_too_many",
    "doc_rate_limited",
    "doc_empty",
    "doc_sign_in_needed",
    "doc_closed",
    "doc_no_file",
]
