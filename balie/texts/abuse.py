"""Texts of the administrators' page against abuse: API keys and booking spikes."""

TEXTS: dict[str, dict[str, str]] = {
    "nav_abuse": {"nl": "API-sleutels en pieken", "en": "API keys and spikes"},
    "abuse_keys_heading": {"nl": "API-sleutels van partners", "en": "Partners' API keys"},
    "abuse_keys_intro": {
        "nl": "Een partner met een sleutel hoeft geen rekenpuzzel op te lossen en krijgt een "
        "eigen limiet per uur in plaats van de limiet per internetaansluiting.",
        "en": "A partner with a key need not solve the computing puzzle and gets its own "
        "hourly limit instead of the limit per connection.",
    },
    "abuse_keys_caption": {"nl": "Sleutels", "en": "Keys"},
    "abuse_col_name": {"nl": "Naam", "en": "Name"},
    "abuse_col_partner": {"nl": "Organisatie", "en": "Organisation"},
    "abuse_col_rate": {"nl": "Afspraken per uur", "en": "Bookings per hour"},
    "abuse_col_prefix": {"nl": "Begint met", "en": "Starts with"},
    "abuse_col_created": {"nl": "Gemaakt", "en": "Created"},
    "abuse_col_status": {"nl": "Status", "en": "Status"},
    "abuse_revoked": {"nl": "Ingetrokken", "en": "Revoked"},
    "abuse_revoke": {"nl": "Intrekken", "en": "Revoke"},
    "abuse_new_key_heading": {"nl": "Nieuwe sleutel", "en": "New key"},
    "abuse_field_name": {"nl": "Naam van de toepassing", "en": "Name of the application"},
    "abuse_field_partner": {"nl": "Organisatie", "en": "Organisation"},
    "abuse_field_rate": {"nl": "Afspraken per uur", "en": "Bookings per hour"},
    "abuse_create": {"nl": "Sleutel maken", "en": "Make the key"},
    "abuse_key_created": {
        "nl": "De sleutel is gemaakt. Kopieer hem nu: hij wordt maar één keer getoond.",
        "en": "The key has been made. Copy it now: it is shown only once.",
    },
    "abuse_key_revoked": {"nl": "De sleutel is ingetrokken.", "en": "The key has been revoked."},
    "abuse_spikes_heading": {
        "nl": "Pieken in het boeken (laatste 7 dagen)",
        "en": "Booking spikes (last 7 days)",
    },
    "abuse_spikes_caption": {"nl": "Pieken", "en": "Spikes"},
    "abuse_col_when": {"nl": "Wanneer", "en": "When"},
    "abuse_col_scope": {"nl": "Soort", "en": "Kind"},
    "abuse_col_what": {"nl": "Dienst of adres", "en": "Service or address"},
    "abuse_col_count": {"nl": "Pogingen in het venster", "en": "Attempts in the window"},
    "abuse_no_spikes": {"nl": "Geen pieken.", "en": "No spikes."},
}
