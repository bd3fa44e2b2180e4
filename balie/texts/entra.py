"""Texts of Microsoft Entra ID sign-in."""

TEXTS: dict[str, dict[str, str]] = {
    "entra_sign_in_button": {"nl": "Aanmelden met Microsoft", "en": "Sign in with Microsoft"},
    "entra_sign_in_help": {
        "nl": "Werk je bij de stad? Meld je aan met je Microsoft-account van het werk.",
        "en": "Do you work for the city? Sign in with your Microsoft work account.",
    },
    "entra_or_local": {
        "nl": "Of meld je aan met een e-mailadres en wachtwoord",
        "en": "Or sign in with an e-mail address and password",
    },
    "entra_error_entra_off": {
        "nl": "Aanmelden met Microsoft staat niet aan op deze site. "
        "Gebruik je e-mailadres en wachtwoord.",
        "en": "Signing in with Microsoft is not switched on for this site. "
        "Use your e-mail address and password.",
    },
    "entra_error_entra_failed": {
        "nl": "Aanmelden met Microsoft is niet gelukt. Probeer het opnieuw.",
        "en": "Signing in with Microsoft did not work. Please try again.",
    },
    "entra_error_entra_expired": {
        "nl": "Het aanmelden duurde te lang of werd al gebruikt. Begin opnieuw met "
        "'Aanmelden met Microsoft'.",
        "en": "Signing in took too long or was already used. Start again with "
        "'Sign in with Microsoft'.",
    },
    "entra_error_wrong_tenant": {
        "nl": "Dit Microsoft-account hoort niet bij de organisatie van deze site. "
        "Meld je aan met je account van het werk.",
        "en": "This Microsoft account does not belong to the organisation of this site. "
        "Sign in with your work account.",
    },
    "entra_error_no_role": {
        "nl": "Je account heeft nog geen rol voor de Digitale Balie. "
        "Vraag je beheerder om je een rol te geven (medewerker, agent, manager of beheerder).",
        "en": "Your account has no role for the Digitale Balie yet. "
        "Ask your administrator to give you a role (staff, agent, manager or admin).",
    },
    "entra_error_inactive": {
        "nl": "Je account staat uit in de Digitale Balie. Vraag je beheerder om hulp.",
        "en": "Your account is switched off in the Digitale Balie. Ask your administrator.",
    },
    "entra_error_account_conflict": {
        "nl": "Er bestaat al een ander account met je e-mailadres. "
        "Vraag je beheerder om het aan je Microsoft-account te koppelen.",
        "en": "Another account already uses your e-mail address. "
        "Ask your administrator to link it to your Microsoft account.",
    },
}
