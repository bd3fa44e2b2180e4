"""Texts of the administrators' screen for citizens' data requests (export, erase)."""

TEXTS: dict[str, dict[str, str]] = {
    "dr_title": {"nl": "Vragen over gegevens", "en": "Data requests"},
    "dr_intro": {
        "nl": "Een burger mag vragen welke gegevens we over hem of haar bewaren, en mag vragen "
        "om ze te wissen. Zoek op het e-mailadres van de burger. Alles wat je hier doet, "
        "komt in het logboek. Het e-mailadres zelf staat niet in het logboek.",
        "en": "A citizen may ask which data we keep about them, and may ask us to erase it. "
        "Search by the citizen's e-mail address. Everything you do here goes into the audit "
        "log. The e-mail address itself is not stored in the log.",
    },
    "dr_email_label": {"nl": "E-mailadres van de burger", "en": "The citizen's e-mail address"},
    "dr_email_hint": {
        "nl": "Het adres waarmee de burger de afspraak maakte.",
        "en": "The address the citizen used to book.",
    },
    "dr_search": {"nl": "Zoeken", "en": "Search"},
    "dr_error_email_required": {"nl": "Vul een e-mailadres in.", "en": "Enter an e-mail address."},
    "dr_error_email_invalid": {
        "nl": "Dit e-mailadres klopt niet. Bijvoorbeeld: naam@voorbeeld.be",
        "en": "This e-mail address is not right. For example: name@example.be",
    },
    "dr_error_search_first": {
        "nl": "Zoek eerst het e-mailadres.",
        "en": "Search for the e-mail address first.",
    },
    "dr_error_confirm": {
        "nl": "Vink eerst aan dat je de export bewaard hebt en de gegevens wilt wissen.",
        "en": "First tick the box to say you kept the export and want to erase the data.",
    },
    "dr_error_failed": {
        "nl": "Dat is niet gelukt. Er is niets gewijzigd. Probeer het opnieuw.",
        "en": "That did not work. Nothing was changed. Try again.",
    },
    "dr_result_for": {"nl": "Resultaat voor", "en": "Result for"},
    "dr_past": {"nl": "Afspraken die voorbij zijn", "en": "Appointments in the past"},
    "dr_upcoming": {"nl": "Afspraken die nog komen", "en": "Appointments still to come"},
    "dr_nothing_found": {
        "nl": "We bewaren geen gegevens bij dit e-mailadres.",
        "en": "We keep no data with this e-mail address.",
    },
    "dr_upcoming_heading": {"nl": "Afspraken die nog komen", "en": "Appointments still to come"},
    "dr_upcoming_note": {
        "nl": "Wis je de gegevens, dan annuleren we eerst deze afspraken. Daarna is het "
        "e-mailadres weg: laat de burger zelf weten dat de afspraken niet doorgaan.",
        "en": "If you erase the data, we first cancel these appointments. After that the "
        "e-mail address is gone: tell the citizen yourself that the appointments are off.",
    },
    "dr_col_reference": {"nl": "Referentie", "en": "Reference"},
    "dr_col_when": {"nl": "Wanneer", "en": "When"},
    "dr_col_service": {"nl": "Dienst", "en": "Service"},
    "dr_col_status": {"nl": "Status", "en": "Status"},
    "dr_export_heading": {"nl": "Gegevens exporteren", "en": "Export the data"},
    "dr_export_hint": {
        "nl": "Download eerst alle gegevens. Geef ze aan de burger als die erom vraagt.",
        "en": "First download all the data. Give it to the citizen if they ask for it.",
    },
    "dr_export": {"nl": "Exporteren (JSON)", "en": "Export (JSON)"},
    "dr_exported": {
        "nl": "De export is gedownload. Bewaar het bestand veilig.",
        "en": "The export has been downloaded. Keep the file safe.",
    },
    "dr_erase_heading": {"nl": "Gegevens wissen", "en": "Erase the data"},
    "dr_erase_hint": {
        "nl": "Naam, e-mailadres, telefoonnummer, vraag en notities verdwijnen voor altijd. "
        "De cijfers (dienst, datum, status) blijven.",
        "en": "Name, e-mail address, phone number, question and notes are gone for good. "
        "The figures (service, date, status) stay.",
    },
    "dr_confirm": {
        "nl": "Ik heb de export bewaard en wil de gegevens wissen",
        "en": "I have kept the export and want to erase the data",
    },
    "dr_erase": {"nl": "Wissen", "en": "Erase"},
    "dr_erased": {"nl": "De gegevens zijn gewist.", "en": "The data has been erased."},
    "dr_erased_count": {"nl": "Gewiste afspraken", "en": "Appointments erased"},
    "dr_cancelled_count": {"nl": "Geannuleerde afspraken", "en": "Appointments cancelled"},
}
