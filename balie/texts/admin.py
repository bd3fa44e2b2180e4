"""Texts of the administrators' screens: catalogue, staff members and the audit log."""

TEXTS: dict[str, dict[str, str]] = {
    # API keys (the page against abuse uses the admin forms and their error texts)
    "admin_error_api_key_name": {"nl": "Geef de sleutel een naam.", "en": "Give the key a name."},
    "admin_error_api_key_rate": {
        "nl": "Kies een aantal tussen 1 en 10000.",
        "en": "Choose a number between 1 and 10000.",
    },
    # Shared by the three pages
    "admin_save": {"nl": "Opslaan", "en": "Save"},
    "admin_close": {"nl": "Sluiten", "en": "Close"},
    "admin_edit": {"nl": "Bewerken", "en": "Edit"},
    "admin_remove": {"nl": "Verwijderen", "en": "Delete"},
    "admin_confirm_remove": {
        "nl": "Wil je dit echt verwijderen? Dat kan je niet ongedaan maken.",
        "en": "Do you really want to delete this? You cannot undo it.",
    },
    "admin_confirm_remove_yes": {"nl": "Ja, verwijderen", "en": "Yes, delete"},
    "admin_confirm_remove_no": {"nl": "Nee, houden", "en": "No, keep it"},
    "admin_actions": {"nl": "Acties", "en": "Actions"},
    "admin_yes": {"nl": "ja", "en": "yes"},
    "admin_no": {"nl": "nee", "en": "no"},
    "admin_active": {"nl": "Actief", "en": "Active"},
    "admin_inactive": {"nl": "Uitgezet", "en": "Switched off"},
    "admin_form_has_errors": {
        "nl": "Niet opgeslagen: er is iets niet juist ingevuld. Kijk de velden met een fout na. "
        "Wat je typte, blijft staan.",
        "en": "Not saved: something is not filled in correctly. Check the fields with an error. "
        "What you typed is kept.",
    },
    "admin_not_found": {
        "nl": "Dit bestaat niet (meer). Laad de pagina opnieuw.",
        "en": "This does not exist (any more). Reload the page.",
    },
    # Catalogue: lists
    "admin_services_heading": {"nl": "Diensten", "en": "Services"},
    "admin_services_caption": {
        "nl": "Alle diensten, ook die nog niet live zijn of uitgezet zijn",
        "en": "All services, also those not live yet or switched off",
    },
    "admin_col_name": {"nl": "Naam", "en": "Name"},
    "admin_col_slug": {"nl": "Korte naam", "en": "Short name"},
    "admin_col_live_from": {"nl": "Live vanaf", "en": "Live from"},
    "admin_col_minutes": {"nl": "Duur (min.)", "en": "Length (min.)"},
    "admin_col_status": {"nl": "Status", "en": "Status"},
    "admin_col_topics": {"nl": "Onderwerpen", "en": "Topics"},
    "admin_col_channel": {"nl": "Via video?", "en": "By video?"},
    "admin_new_service": {"nl": "Nieuwe dienst toevoegen", "en": "Add a new service"},
    "admin_new_topic": {"nl": "Nieuw onderwerp toevoegen", "en": "Add a new topic"},
    "admin_no_topics": {
        "nl": "Deze dienst heeft nog geen onderwerpen.",
        "en": "This service has no topics yet.",
    },
    "admin_topics_heading": {"nl": "Onderwerpen van deze dienst", "en": "Topics of this service"},
    # Catalogue: service form
    "admin_service_form_edit": {"nl": "Dienst bewerken", "en": "Edit the service"},
    "admin_service_form_new": {"nl": "Nieuwe dienst", "en": "New service"},
    "admin_field_slug": {"nl": "Korte naam voor links", "en": "Short name for links"},
    "admin_field_slug_hint": {
        "nl": "Kleine letters, cijfers en streepjes, bijvoorbeeld energie-advies. "
        "Deze naam staat in links; verander hem liever niet meer als er al geboekt wordt.",
        "en": "Lower-case letters, digits and hyphens, for example energy-advice. "
        "This name is part of links; better not change it once people book.",
    },
    "admin_field_name_nl": {"nl": "Naam in het Nederlands", "en": "Name in Dutch"},
    "admin_field_name_en": {
        "nl": "Naam in het Engels (niet verplicht)",
        "en": "Name in English (optional)",
    },
    "admin_field_description_nl": {
        "nl": "Uitleg in het Nederlands (niet verplicht)",
        "en": "Description in Dutch (optional)",
    },
    "admin_field_description_en": {
        "nl": "Uitleg in het Engels (niet verplicht)",
        "en": "Description in English (optional)",
    },
    "admin_english_hint": {
        "nl": "Leeg: Engelstalige burgers zien de Nederlandse tekst.",
        "en": "Empty: English-speaking citizens see the Dutch text.",
    },
    "admin_field_live_from": {"nl": "Live vanaf (datum)", "en": "Live from (date)"},
    "admin_field_live_from_hint": {
        "nl": "Vanaf deze dag kunnen burgers boeken. Schrijf de datum als jjjj-mm-dd.",
        "en": "Citizens can book from this day on. Write the date as yyyy-mm-dd.",
    },
    "admin_field_appointment_minutes": {
        "nl": "Duur van een gesprek (minuten)",
        "en": "Length of a call (minutes)",
    },
    "admin_field_appointment_minutes_hint": {"nl": "Van 5 tot 480.", "en": "From 5 to 480."},
    "admin_field_buffer_minutes": {
        "nl": "Vrije tijd na elk gesprek (minuten)",
        "en": "Free time after each call (minutes)",
    },
    "admin_field_buffer_minutes_hint": {"nl": "Van 0 tot 240.", "en": "From 0 to 240."},
    "admin_field_min_notice_minutes": {
        "nl": "Hoe lang vooraf moet je minstens boeken? (minuten)",
        "en": "How long in advance must people book at least? (minutes)",
    },
    "admin_field_min_notice_minutes_hint": {
        "nl": "Van 0 tot 43200 (30 dagen). 120 is twee uur.",
        "en": "From 0 to 43200 (30 days). 120 is two hours.",
    },
    "admin_field_horizon_days": {
        "nl": "Hoe ver vooruit kan je boeken? (dagen)",
        "en": "How far ahead can people book? (days)",
    },
    "admin_field_horizon_days_hint": {"nl": "Van 1 tot 366.", "en": "From 1 to 366."},
    "admin_field_sort_order": {"nl": "Plaats in de lijst", "en": "Place in the list"},
    "admin_field_sort_order_hint": {
        "nl": "Van 0 tot 9999. Een lager getal staat hoger.",
        "en": "From 0 to 9999. A lower number comes first.",
    },
    "admin_field_service_active": {
        "nl": "Actief: burgers zien deze dienst vanaf de datum hierboven",
        "en": "Active: citizens see this service from the date above",
    },
    "admin_remove_hint": {
        "nl": "Verwijderen kan alleen als er nog nooit een afspraak voor was. "
        "Anders zetten we het uit.",
        "en": "Deleting is only possible when it was never booked. Otherwise we switch it off.",
    },
    "admin_service_created": {"nl": "De dienst is toegevoegd.", "en": "The service was added."},
    "admin_service_saved": {"nl": "De dienst is opgeslagen.", "en": "The service was saved."},
    "admin_service_deleted": {"nl": "De dienst is verwijderd.", "en": "The service was deleted."},
    "admin_service_deactivated": {
        "nl": "Er zijn al afspraken voor deze dienst. Daarom is ze uitgezet in plaats van "
        "verwijderd.",
        "en": "This service already has appointments, so it was switched off instead of deleted.",
    },
    # Catalogue: topic form
    "admin_topic_form_edit": {"nl": "Onderwerp bewerken", "en": "Edit the topic"},
    "admin_topic_form_new": {"nl": "Nieuw onderwerp", "en": "New topic"},
    "admin_field_channel_rule": {"nl": "Kan dit via video?", "en": "Can this be done by video?"},
    "admin_rule_video": {"nl": "Ja, via video", "en": "Yes, by video"},
    "admin_rule_in_person": {
        "nl": "Nee, dit kan alleen aan het loket",
        "en": "No, this can only be done at the counter",
    },
    "admin_rule_needs_identification": {
        "nl": "Nee, we moeten controleren wie iemand is",
        "en": "No, we need to check who someone is",
    },
    "admin_rule_needs_document_exchange": {
        "nl": "Nee, er moeten documenten gegeven of gekregen worden",
        "en": "No, documents must be handed over",
    },
    "admin_rule_needs_signature": {
        "nl": "Nee, er moet iets ondertekend worden",
        "en": "No, something must be signed",
    },
    "admin_field_reason_nl": {
        "nl": "Eigen reden in het Nederlands (niet verplicht)",
        "en": "Own reason in Dutch (optional)",
    },
    "admin_field_reason_en": {
        "nl": "Eigen reden in het Engels (niet verplicht)",
        "en": "Own reason in English (optional)",
    },
    "admin_reason_hint": {
        "nl": "Alleen als het niet via video kan. Leeg: burgers zien de standaardzin van de "
        "gekozen regel.",
        "en": "Only when it cannot be done by video. Empty: citizens see the standard sentence "
        "of the chosen rule.",
    },
    "admin_field_preparation_nl": {
        "nl": "Wat moet de burger klaarleggen? Nederlands (niet verplicht)",
        "en": "What should the citizen have at hand? Dutch (optional)",
    },
    "admin_field_preparation_en": {
        "nl": "Wat moet de burger klaarleggen? Engels (niet verplicht)",
        "en": "What should the citizen have at hand? English (optional)",
    },
    "admin_field_documents_nl": {
        "nl": "Welke documenten vraag je? Nederlands, één per regel (niet verplicht)",
        "en": "Which documents do you ask for? Dutch, one per line (optional)",
    },
    "admin_field_documents_en": {
        "nl": "Welke documenten vraag je? Engels, één per regel, in dezelfde volgorde",
        "en": "Which documents do you ask for? English, one per line, in the same order",
    },
    "admin_documents_hint": {
        "nl": "De burger ziet deze lijst op de pagina van de afspraak en kan de documenten daar "
        "sturen. Ten hoogste 10 regels van 120 tekens.",
        "en": "The citizen sees this list on the appointment's page and can send the documents "
        "there. At most 10 lines of 120 characters.",
    },
    "admin_documents_en_hint": {
        "nl": "Regel 1 hoort bij regel 1 van het Nederlands, enzovoort. Leeg: burgers zien het "
        "Nederlands.",
        "en": "Line 1 goes with line 1 of the Dutch list, and so on. Empty: citizens see the "
        "Dutch.",
    },
    "admin_field_topic_active": {
        "nl": "Actief: burgers zien dit onderwerp",
        "en": "Active: citizens see this topic",
    },
    "admin_topic_created": {"nl": "Het onderwerp is toegevoegd.", "en": "The topic was added."},
    "admin_topic_saved": {"nl": "Het onderwerp is opgeslagen.", "en": "The topic was saved."},
    "admin_topic_deleted": {"nl": "Het onderwerp is verwijderd.", "en": "The topic was deleted."},
    "admin_topic_deactivated": {
        "nl": "Er zijn al afspraken voor dit onderwerp. Daarom is het uitgezet in plaats van "
        "verwijderd.",
        "en": "This topic already has appointments, so it was switched off instead of deleted.",
    },
    # Staff members
    "admin_staff_caption": {
        "nl": "Alle medewerkers, met hun rollen en diensten",
        "en": "All staff members, with their roles and services",
    },
    "admin_col_email": {"nl": "E-mailadres", "en": "E-mail address"},
    "admin_col_roles": {"nl": "Rollen", "en": "Roles"},
    "admin_col_services": {"nl": "Diensten", "en": "Services"},
    "admin_col_sign_in": {"nl": "Aanmelden met", "en": "Signs in with"},
    "admin_sign_in_password": {"nl": "wachtwoord", "en": "password"},
    "admin_sign_in_entra": {"nl": "Microsoft-account", "en": "Microsoft account"},
    "admin_sign_in_none": {"nl": "nog niets ingesteld", "en": "nothing set up yet"},
    "admin_role_staff": {"nl": "Medewerker (gesprekken)", "en": "Counsellor (calls)"},
    "admin_role_agent": {
        "nl": "Gentinfo (boekt voor burgers)",
        "en": "Contact centre (books for citizens)",
    },
    "admin_role_manager": {"nl": "Manager (cijfers)", "en": "Manager (figures)"},
    "admin_role_admin": {"nl": "Beheerder", "en": "Administrator"},
    "admin_new_staff": {"nl": "Nieuwe medewerker toevoegen", "en": "Add a new staff member"},
    "admin_staff_form_edit": {"nl": "Medewerker bewerken", "en": "Edit the staff member"},
    "admin_staff_form_new": {"nl": "Nieuwe medewerker", "en": "New staff member"},
    "admin_field_display_name": {"nl": "Naam", "en": "Name"},
    "admin_field_email": {"nl": "E-mailadres (werk)", "en": "E-mail address (work)"},
    "admin_field_email_fixed": {
        "nl": "Het e-mailadres is de aanmeldnaam en verandert hier niet.",
        "en": "The e-mail address is the sign-in name and cannot be changed here.",
    },
    "admin_field_roles": {"nl": "Rollen", "en": "Roles"},
    "admin_field_services": {"nl": "Diensten", "en": "Services"},
    "admin_field_services_hint": {
        "nl": "Een medewerker krijgt alleen afspraken voor de diensten die hier aangevinkt zijn.",
        "en": "A counsellor only gets appointments for the services ticked here.",
    },
    "admin_field_staff_active": {
        "nl": "Actief: kan aanmelden en afspraken krijgen",
        "en": "Active: can sign in and get appointments",
    },
    "admin_password_note": {
        "nl": "Wachtwoorden stel je niet in op deze pagina, zodat ze nooit via de browser "
        "reizen. Een beheerder van de server geeft een wachtwoord met dit commando (het "
        "wachtwoord wordt twee keer gevraagd):",
        "en": "Passwords are not set on this page, so they never travel through the browser. "
        "A server administrator gives a password with this command (it asks for the password "
        "twice):",
    },
    "admin_staff_created": {
        "nl": "De medewerker is toegevoegd. Geef nu een wachtwoord met het commando hieronder.",
        "en": "The staff member was added. Now give them a password with the command below.",
    },
    "admin_staff_saved": {
        "nl": "De medewerker is opgeslagen.",
        "en": "The staff member was saved.",
    },
    "admin_staff_has_appointments": {
        "nl": "Opgeslagen. Let op: deze medewerker is uitgezet maar heeft nog geplande "
        "afspraken. Verzet of annuleer ze.",
        "en": "Saved. Note: this staff member is switched off but still has booked "
        "appointments. Move or cancel them.",
    },
    # Audit log
    "admin_audit_filters": {"nl": "Zoeken in het logboek", "en": "Search the audit log"},
    "admin_field_action_prefix": {"nl": "Handeling begint met", "en": "Action starts with"},
    "admin_field_action_prefix_hint": {
        "nl": "Bijvoorbeeld catalogue_ (diensten en onderwerpen), staff_member_ (medewerkers) "
        "of read_ (lijsten bekeken).",
        "en": "For example catalogue_ (services and topics), staff_member_ (staff) or read_ "
        "(lists read).",
    },
    "admin_field_staff_id": {"nl": "Wie", "en": "Who"},
    "admin_everyone": {"nl": "Iedereen", "en": "Everyone"},
    "admin_field_date_from": {"nl": "Van (datum)", "en": "From (date)"},
    "admin_field_date_to": {"nl": "Tot en met (datum)", "en": "Up to and including (date)"},
    "admin_show": {"nl": "Toon", "en": "Show"},
    "admin_clear_filters": {"nl": "Alles tonen", "en": "Show everything"},
    "admin_audit_caption": {
        "nl": "Logboek, nieuwste eerst. Uren in Belgische tijd.",
        "en": "Audit log, newest first. Times are Belgian time.",
    },
    "admin_col_when": {"nl": "Wanneer", "en": "When"},
    "admin_col_who": {"nl": "Wie", "en": "Who"},
    "admin_col_action": {"nl": "Handeling", "en": "Action"},
    "admin_col_target": {"nl": "Waarop", "en": "On what"},
    "admin_col_detail": {"nl": "Details", "en": "Details"},
    "admin_system": {"nl": "(systeem)", "en": "(system)"},
    "admin_sign_in_alerts": {
        "nl": "Verdachte aanmeldpogingen (laatste 24 uur)",
        "en": "Suspicious sign-in attempts (last 24 hours)",
    },
    "admin_sign_in_alerts_caption": {
        "nl": "Veel accounts geprobeerd vanaf één adres, en adressen die moesten wachten",
        "en": "Many accounts tried from one address, and addresses that had to wait",
    },
    "admin_sign_in_spray": {"nl": "Veel accounts geprobeerd", "en": "Many accounts tried"},
    "admin_throttled": {"nl": "Moest wachten", "en": "Had to wait"},
    "admin_col_kind": {"nl": "Wat", "en": "What"},
    "admin_col_source": {"nl": "Adres of netwerk", "en": "Address or network"},
    "admin_col_count": {"nl": "Aantal", "en": "Count"},
    "admin_audit_none": {"nl": "Geen regels gevonden.", "en": "No entries found."},
    "admin_previous": {"nl": "Vorige", "en": "Previous"},
    "admin_next": {"nl": "Volgende", "en": "Next"},
    "admin_page": {"nl": "Pagina", "en": "Page"},
    "admin_audit_paging": {"nl": "Bladeren in het logboek", "en": "Pages of the audit log"},
    # Errors next to the fields
    "admin_error_slug_required": {"nl": "Vul een korte naam in.", "en": "Enter a short name."},
    "admin_error_slug_format": {
        "nl": "Gebruik alleen kleine letters, cijfers en losse streepjes (hoogstens 64 tekens). "
        "Bijvoorbeeld: energie-advies",
        "en": "Use only lower-case letters, digits and single hyphens (64 characters at most). "
        "For example: energy-advice",
    },
    "admin_error_slug_taken": {
        "nl": "Een andere dienst heeft al deze korte naam.",
        "en": "Another service already has this short name.",
    },
    "admin_error_topic_slug_taken": {
        "nl": "Een ander onderwerp van deze dienst heeft al deze korte naam.",
        "en": "Another topic of this service already has this short name.",
    },
    "admin_error_name_nl_required": {
        "nl": "Vul de Nederlandse naam in.",
        "en": "Enter the Dutch name.",
    },
    "admin_error_documents": {
        "nl": "Ten hoogste 10 documenten, elk ten hoogste 120 tekens.",
        "en": "At most 10 documents, each at most 120 characters.",
    },
    "admin_error_documents_pairs": {
        "nl": "Er zijn meer Engelse dan Nederlandse regels. Geef elk document eerst in het "
        "Nederlands.",
        "en": "There are more English than Dutch lines. Give every document in Dutch first.",
    },
    "admin_error_too_long": {
        "nl": "Deze tekst is te lang. Maak hem korter.",
        "en": "This text is too long. Make it shorter.",
    },
    "admin_error_date_format": {
        "nl": "Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2026-03-30.",
        "en": "Enter a date as yyyy-mm-dd, for example 2026-03-30.",
    },
    "admin_error_date_range": {
        "nl": "Kies een datum vanaf 2000 en hoogstens twee jaar vooruit.",
        "en": "Choose a date from 2000 on and at most two years ahead.",
    },
    "admin_error_date_order": {
        "nl": "Deze datum ligt voor de begindatum.",
        "en": "This date is before the start date.",
    },
    "admin_error_range_appointment_minutes": {
        "nl": "Vul een heel getal in van 5 tot 480.",
        "en": "Enter a whole number from 5 to 480.",
    },
    "admin_error_range_buffer_minutes": {
        "nl": "Vul een heel getal in van 0 tot 240.",
        "en": "Enter a whole number from 0 to 240.",
    },
    "admin_error_range_min_notice_minutes": {
        "nl": "Vul een heel getal in van 0 tot 43200.",
        "en": "Enter a whole number from 0 to 43200.",
    },
    "admin_error_range_horizon_days": {
        "nl": "Vul een heel getal in van 1 tot 366.",
        "en": "Enter a whole number from 1 to 366.",
    },
    "admin_error_range_sort_order": {
        "nl": "Vul een heel getal in van 0 tot 9999.",
        "en": "Enter a whole number from 0 to 9999.",
    },
    "admin_error_notice_beyond_horizon": {
        "nl": "Dit moet korter zijn dan hoe ver vooruit je kan boeken; anders kan niemand boeken.",
        "en": "This must be shorter than how far ahead people can book; otherwise nobody can book.",
    },
    "admin_error_channel_rule": {
        "nl": "Kies of dit via video kan.",
        "en": "Choose whether this can be done by video.",
    },
    "admin_error_reason_with_video": {
        "nl": "Een eigen reden past alleen als het niet via video kan. Maak dit veld leeg, "
        "of kies hierboven een andere regel.",
        "en": "An own reason only fits when it cannot be done by video. Empty this field, "
        "or choose another rule above.",
    },
    "admin_error_display_name": {
        "nl": "Vul een naam in van 2 tot 200 tekens.",
        "en": "Enter a name of 2 to 200 characters.",
    },
    "admin_error_email_required": {
        "nl": "Vul het e-mailadres in.",
        "en": "Enter the e-mail address.",
    },
    "admin_error_email_invalid": {
        "nl": "Dit e-mailadres klopt niet. Bijvoorbeeld: an.peeters@stad.gent",
        "en": "This e-mail address is not right. For example: an.peeters@stad.gent",
    },
    "admin_error_email_taken": {
        "nl": "Er is al een medewerker met dit e-mailadres.",
        "en": "A staff member with this e-mail address already exists.",
    },
    "admin_error_roles_required": {
        "nl": "Kies minstens één rol.",
        "en": "Choose at least one role.",
    },
    "admin_error_role_unknown": {
        "nl": "Kies alleen rollen uit de lijst.",
        "en": "Only choose roles from the list.",
    },
    "admin_error_service_unknown": {
        "nl": "Kies alleen diensten uit de lijst.",
        "en": "Only choose services from the list.",
    },
    "admin_error_own_admin_role": {
        "nl": "Je kan je eigen rol van beheerder niet afnemen. Vraag het aan een andere beheerder.",
        "en": "You cannot take away your own administrator role. Ask another administrator.",
    },
    "admin_error_deactivate_self": {
        "nl": "Je kan jezelf niet uitzetten. Vraag het aan een andere beheerder.",
        "en": "You cannot switch yourself off. Ask another administrator.",
    },
    "admin_error_action_prefix": {
        "nl": "Gebruik alleen kleine letters, cijfers en _ . - (hoogstens 64 tekens).",
        "en": "Use only lower-case letters, digits and _ . - (64 characters at most).",
    },
    "admin_error_staff_unknown": {
        "nl": "Kies een medewerker uit de lijst.",
        "en": "Choose a staff member from the list.",
    },
    # Catalogue administration: the level a topic needs.
    "admin_field_identification_level": {
        "nl": "Moet de burger zich aanmelden met itsme of eID?",
        "en": "Must the citizen sign in with itsme or eID?",
    },
    "admin_level_none": {"nl": "Nee", "en": "No"},
    "admin_level_substantial": {
        "nl": "Ja, niveau substantieel",
        "en": "Yes, level substantial",
    },
    "admin_level_high": {
        "nl": "Ja, niveau hoog (eID met pincode of itsme)",
        "en": "Yes, level high (eID with PIN or itsme)",
    },
    "admin_error_identification_level": {
        "nl": "Kies een van de niveaus.",
        "en": "Choose one of the levels.",
    },
}
