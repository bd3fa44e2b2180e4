"""Texts of the organisation's settings page and the platform page."""

TEXTS: dict[str, dict[str, str]] = {
    "nav_organisation": {"nl": "Organisatie", "en": "Organisation"},
    "nav_platform": {"nl": "Platform", "en": "Platform"},
    # Sections and fields of the settings form
    "org_section_look": {"nl": "Naam en uitzicht", "en": "Name and look"},
    "org_section_privacy": {"nl": "Talen en privacy", "en": "Languages and privacy"},
    "org_section_mail": {"nl": "E-mail", "en": "E-mail"},
    "org_section_meetings": {"nl": "Videogesprekken", "en": "Video calls"},
    "org_section_logo": {"nl": "Logo", "en": "Logo"},
    "org_field_display_name": {"nl": "Naam op de website", "en": "Name on the website"},
    "org_field_brand_primary": {"nl": "Hoofdkleur", "en": "Main colour"},
    "org_hint_brand_primary": {
        "nl": "Voor knoppen en links, bijvoorbeeld #0b3d91. Witte tekst moet er goed op leesbaar "
        "zijn (contrast minstens 4,5:1).",
        "en": "For buttons and links, for example #0b3d91. White text must be easy to read on it "
        "(contrast at least 4.5:1).",
    },
    "org_field_brand_secondary": {"nl": "Tweede kleur", "en": "Second colour"},
    "org_hint_brand_secondary": {
        "nl": "Voor de balk bovenaan, bijvoorbeeld #eef3fb. Donkere tekst en de hoofdkleur moeten "
        "er goed op leesbaar zijn (contrast minstens 4,5:1).",
        "en": "For the bar at the top, for example #eef3fb. Dark text and the main colour must be "
        "easy to read on it (contrast at least 4.5:1).",
    },
    "org_field_time_zone": {"nl": "Tijdzone", "en": "Time zone"},
    "org_field_languages": {"nl": "Talen voor burgers", "en": "Languages for citizens"},
    "org_language_nl": {"nl": "Nederlands (altijd)", "en": "Dutch (always)"},
    "org_language_en": {"nl": "Engels", "en": "English"},
    "org_field_counter_booking_url": {
        "nl": "Adres om een afspraak aan het loket te maken",
        "en": "Address to book an appointment at the counter",
    },
    "org_field_privacy_contact": {
        "nl": "Contact voor privacy (e-mail of webadres)",
        "en": "Privacy contact (e-mail or web address)",
    },
    "org_field_retention_days": {
        "nl": "Dagen dat persoonsgegevens bewaard worden",
        "en": "Days personal data is kept",
    },
    "org_hint_retention_days": {
        "nl": "Leeg: de termijn van het platform.",
        "en": "Empty: the platform's period.",
    },
    "org_field_mail_from_address": {"nl": "Afzender: e-mailadres", "en": "Sender: e-mail address"},
    "org_field_mail_from_name": {"nl": "Afzender: naam", "en": "Sender: name"},
    "org_field_mail_transport": {"nl": "Verzenden via", "en": "Send through"},
    "org_transport_relay": {
        "nl": "De gedeelde mailserver van het platform",
        "en": "The platform's shared mail server",
    },
    "org_transport_smtp": {
        "nl": "Onze eigen mailserver (SMTP)",
        "en": "Our own mail server (SMTP)",
    },
    "org_field_smtp_host": {"nl": "SMTP-server", "en": "SMTP server"},
    "org_field_smtp_port": {"nl": "SMTP-poort", "en": "SMTP port"},
    "org_field_smtp_username": {"nl": "SMTP-gebruiker", "en": "SMTP user"},
    "org_field_smtp_password_new": {"nl": "SMTP-wachtwoord", "en": "SMTP password"},
    "org_field_meeting_provider": {"nl": "Videogesprekken via", "en": "Video calls through"},
    "org_provider_platform": {"nl": "De keuze van het platform", "en": "The platform's choice"},
    "org_provider_jitsi": {"nl": "Onze eigen Jitsi-server", "en": "Our own Jitsi server"},
    "org_provider_teams": {
        "nl": "Microsoft Teams van onze eigen organisatie (Entra ID)",
        "en": "Microsoft Teams of our own organisation (Entra ID)",
    },
    "org_field_jitsi_server_url": {"nl": "Adres van de Jitsi-server", "en": "Jitsi server address"},
    "org_field_entra_tenant_id": {"nl": "Entra tenant-id", "en": "Entra tenant id"},
    "org_field_entra_client_id": {"nl": "Entra client-id", "en": "Entra client id"},
    "org_field_entra_client_secret_new": {"nl": "Entra client-secret", "en": "Entra client secret"},
    "org_hint_entra": {
        "nl": "Ook gebruikt om medewerkers te laten aanmelden met hun Microsoft-account.",
        "en": "Also used for staff sign-in with their Microsoft account.",
    },
    "org_secret_set": {
        "nl": "Ingesteld. Typ een nieuwe waarde om die te vervangen; leeg laten houdt ze.",
        "en": "Set. Type a new value to replace it; leave empty to keep it.",
    },
    "org_secret_not_set": {"nl": "Niet ingesteld.", "en": "Not set."},
    "org_secret_clear": {"nl": "Verwijderen", "en": "Remove"},
    "org_logo_current": {"nl": "Het huidige logo", "en": "The current logo"},
    "org_logo_none": {"nl": "Er is nog geen logo.", "en": "There is no logo yet."},
    "org_logo_hint": {
        "nl": "Een PNG- of WebP-bestand van hoogstens 100 kB en 1024 pixels breed en hoog.",
        "en": "A PNG or WebP file of at most 100 kB and 1024 pixels wide and high.",
    },
    "org_logo_choose": {"nl": "Kies een bestand", "en": "Choose a file"},
    "org_logo_send": {"nl": "Logo opslaan", "en": "Save logo"},
    "org_logo_remove": {"nl": "Logo verwijderen", "en": "Remove logo"},
    # Outcomes and problems
    "org_saved": {"nl": "De instellingen zijn opgeslagen.", "en": "The settings have been saved."},
    "org_logo_saved": {"nl": "Het logo is opgeslagen.", "en": "The logo has been saved."},
    "org_logo_removed": {"nl": "Het logo is verwijderd.", "en": "The logo has been removed."},
    "org_secrets_key_missing": {
        "nl": "Niet opgeslagen: het platform kan geen geheimen bewaren (BALIE_SECRETS_KEY "
        "ontbreekt). Vraag het aan de beheerder van het platform.",
        "en": "Not saved: the platform cannot store secrets (BALIE_SECRETS_KEY is missing). "
        "Ask the platform's administrator.",
    },
    # Contrast refusals ({ratio} and {minimum} are filled in)
    "org_contrast_white_on_primary": {
        "nl": "Contrast {ratio} van witte tekst op de hoofdkleur is te laag; minstens {minimum}.",
        "en": "Contrast {ratio} of white text on the main colour is too low; at least {minimum}.",
    },
    "org_contrast_ink_on_secondary": {
        "nl": "Contrast {ratio} van donkere tekst op de tweede kleur is te laag; minstens "
        "{minimum}.",
        "en": "Contrast {ratio} of dark text on the second colour is too low; at least {minimum}.",
    },
    "org_contrast_primary_on_secondary": {
        "nl": "Contrast {ratio} van de hoofdkleur op de tweede kleur is te laag; minstens "
        "{minimum}.",
        "en": "Contrast {ratio} of the main colour on the second colour is too low; at least "
        "{minimum}.",
    },
    # The platform page
    "platform_figures": {"nl": "Gebruik over alle gemeenten", "en": "Use across municipalities"},
    "platform_figures_intro": {
        "nl": "Aantallen van de laatste twaalf maanden, zonder persoonsgegevens en zonder "
        "demogegevens. Gehouden: gesprekken die plaatsvonden. Geboekt: alle afspraken die niet "
        "geannuleerd zijn.",
        "en": "Counts of the last twelve months, without personal data and without demo data. "
        "Held: calls that took place. Booked: every appointment that was not cancelled.",
    },
    "platform_per_city": {"nl": "Per gemeente", "en": "Per municipality"},
    "platform_per_service": {
        "nl": "Per soort dienst (de korte naam van de dienst)",
        "en": "Per type of service (the service's short name)",
    },
    "platform_per_month": {"nl": "Per maand", "en": "Per month"},
    "platform_col_city": {"nl": "Gemeente", "en": "Municipality"},
    "platform_col_service": {"nl": "Soort dienst", "en": "Type of service"},
    "platform_col_month": {"nl": "Maand", "en": "Month"},
    "platform_col_held": {"nl": "Gehouden", "en": "Held"},
    "platform_col_booked": {"nl": "Geboekt", "en": "Booked"},
    "platform_new": {"nl": "Een gemeente toevoegen", "en": "Add a municipality"},
    "platform_field_slug": {"nl": "Korte naam (in adressen)", "en": "Short name (in addresses)"},
    "platform_hint_slug": {
        "nl": "Kleine letters, cijfers en koppeltekens, bijvoorbeeld aalst.",
        "en": "Lower-case letters, digits and hyphens, for example aalst.",
    },
    "platform_field_name": {"nl": "Naam", "en": "Name"},
    "platform_field_host": {"nl": "Webadres (servernaam)", "en": "Web address (host name)"},
    "platform_hint_host": {
        "nl": "Bijvoorbeeld videoloket.aalst.be.",
        "en": "For example videoloket.aalst.be.",
    },
    "platform_field_admin_email": {
        "nl": "E-mailadres van de eerste beheerder",
        "en": "E-mail address of the first administrator",
    },
    "platform_field_admin_name": {
        "nl": "Naam van de eerste beheerder",
        "en": "Name of the first administrator",
    },
    "platform_field_catalogue_from": {
        "nl": "Beginnen met de diensten van",
        "en": "Start with the services of",
    },
    "platform_catalogue_none": {"nl": "Geen: een lege catalogus", "en": "None: an empty catalogue"},
    "platform_create": {"nl": "Gemeente toevoegen", "en": "Add municipality"},
    "platform_created": {
        "nl": "De gemeente is toegevoegd:",
        "en": "The municipality has been added:",
    },
    # Errors of the fields
    "admin_error_contrast": {"nl": "Te weinig contrast.", "en": "Not enough contrast."},
    "admin_error_colour": {
        "nl": "Schrijf een kleur als # met zes tekens, bijvoorbeeld #0b3d91.",
        "en": "Write a colour as # with six characters, for example #0b3d91.",
    },
    "admin_error_time_zone": {
        "nl": "Kies een bestaande tijdzone, bijvoorbeeld Europe/Brussels.",
        "en": "Choose an existing time zone, for example Europe/Brussels.",
    },
    "admin_error_languages": {
        "nl": "Nederlands moet altijd aangeboden worden.",
        "en": "Dutch must always be offered.",
    },
    "admin_error_https_url": {
        "nl": "Schrijf een volledig adres dat begint met https://.",
        "en": "Write a full address starting with https://.",
    },
    "admin_error_url_required": {
        "nl": "Vul het adres in (het begint met https://).",
        "en": "Fill in the address (it starts with https://).",
    },
    "admin_error_number_range": {
        "nl": "Schrijf een getal binnen de grenzen.",
        "en": "Write a number within the limits.",
    },
    "admin_error_choice": {"nl": "Kies een van de mogelijkheden.", "en": "Choose one option."},
    "admin_error_host": {
        "nl": "Schrijf een servernaam, bijvoorbeeld smtp.gemeente.be.",
        "en": "Write a server name, for example smtp.municipality.be.",
    },
    "admin_error_host_taken": {
        "nl": "Dit adres is al in gebruik. Kies een ander adres.",
        "en": "This address is already in use. Choose another address.",
    },
    "admin_error_guid": {
        "nl": "Schrijf de id zoals Entra die toont: 8-4-4-4-12 tekens.",
        "en": "Write the id as Entra shows it: 8-4-4-4-12 characters.",
    },
    "admin_error_secret": {
        "nl": "Deze waarde is te lang of bevat tekens die niet kunnen.",
        "en": "This value is too long or has characters that are not allowed.",
    },
    "admin_error_secret_required": {
        "nl": "Deze keuze heeft een geheim nodig: vul het in.",
        "en": "This choice needs a secret: fill it in.",
    },
    "admin_error_logo_required": {"nl": "Kies eerst een bestand.", "en": "Choose a file first."},
    "admin_error_logo_too_large": {
        "nl": "Het logo is groter dan 100 kB.",
        "en": "The logo is larger than 100 kB.",
    },
    "admin_error_logo_size": {
        "nl": "Het logo is breder of hoger dan 1024 pixels.",
        "en": "The logo is wider or higher than 1024 pixels.",
    },
    "admin_error_logo_type": {
        "nl": "Het logo moet een PNG- of WebP-bestand zijn.",
        "en": "The logo must be a PNG or WebP file.",
    },
}
