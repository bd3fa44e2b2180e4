"""Texts of the citizen's sign-in with itsme or eID (OpenID Connect) and the verified identity."""

TEXTS: dict[str, dict[str, str]] = {
    "identity_heading": {"nl": "Meld u aan met itsme of eID", "en": "Sign in with itsme or eID"},
    "identity_why": {
        "nl": "Voor dit gesprek moeten we zeker weten wie je bent. Meld je aan met itsme of "
        "met je identiteitskaart (eID). Daarna vul je je e-mailadres en telefoon in.",
        "en": "For this call we need to be sure who you are. Sign in with itsme or with your "
        "identity card (eID). Then you fill in your e-mail address and phone.",
    },
    "identity_button": {"nl": "Aanmelden met itsme of eID", "en": "Sign in with itsme or eID"},
    "identity_level_substantial": {"nl": "niveau substantieel", "en": "level substantial"},
    "identity_level_high": {"nl": "niveau hoog", "en": "level high"},
    "identity_signed_in": {"nl": "Aangemeld als", "en": "Signed in as"},
    "identity_name_locked": {
        "nl": "Je naam komt van je aanmelding. Je kunt hem hier niet wijzigen.",
        "en": "Your name comes from your sign-in. You cannot change it here.",
    },
    "identity_off": {
        "nl": "Aanmelden met itsme of eID kan op deze site nog niet. Kom naar het loket of "
        "bel ons.",
        "en": "Signing in with itsme or eID is not possible on this site yet. Come to the "
        "counter or call us.",
    },
    "identity_expired": {
        "nl": "Het aanmelden duurde te lang of werd al gebruikt. Meld je opnieuw aan.",
        "en": "Signing in took too long or was already used. Please sign in again.",
    },
    "identity_cancelled": {
        "nl": "Je hebt het aanmelden gestopt. Je hebt nog geen afspraak. Meld je opnieuw aan "
        "als je toch een afspraak wilt.",
        "en": "You stopped signing in. You do not have an appointment yet. Sign in again if "
        "you still want one.",
    },
    "identity_failed": {
        "nl": "We konden je aanmelding niet controleren. Je hebt nog geen afspraak. Probeer "
        "het opnieuw.",
        "en": "We could not check your sign-in. You do not have an appointment yet. Please "
        "try again.",
    },
    "identity_level": {
        "nl": "Voor dit onderwerp moet je je sterker aanmelden: met je eID-kaart en pincode "
        "of met itsme. Je hebt nog geen afspraak.",
        "en": "For this topic you need a stronger sign-in: your eID card and PIN, or itsme. "
        "You do not have an appointment yet.",
    },
    "identity_claims": {
        "nl": "Je aanmelding gaf ons niet de gegevens die we nodig hebben (je naam, "
        "geboortedatum of rijksregisternummer). Je hebt nog geen afspraak. Bel ons.",
        "en": "Your sign-in did not give us the details we need (your name, date of birth or "
        "national register number). You do not have an appointment yet. Please call us.",
    },
    "identity_unavailable": {
        "nl": "Aanmelden lukt nu niet: de dienst van itsme en eID antwoordt niet. Probeer het "
        "later opnieuw.",
        "en": "Signing in does not work right now: the itsme and eID service does not answer. "
        "Please try again later.",
    },
    "identity_busy": {
        "nl": "Er werd van hier te vaak aangemeld. Wacht een uur en probeer opnieuw.",
        "en": "There were too many sign-ins from here. Wait an hour and try again.",
    },
    "identity_ok": {
        "nl": "Je bent aangemeld. Vul nu je e-mailadres en telefoon in.",
        "en": "You are signed in. Now fill in your e-mail address and phone.",
    },
    # Privacy notice.
    "privacy_identity_heading": {
        "nl": "Aanmelden met itsme of eID",
        "en": "Signing in with itsme or eID",
    },
    "privacy_identity_off": {
        "nl": "Op deze site meld je je niet aan: we vragen alleen wat je zelf invult.",
        "en": "On this site you do not sign in: we only ask what you fill in yourself.",
    },
    "privacy_identity_hash": {
        "nl": "Voor sommige onderwerpen meld je je aan met itsme of eID. We krijgen dan je "
        "naam en geboortedatum en bewaren die bij je afspraak. Je rijksregisternummer bewaren "
        "we niet: alleen een code die ervan is afgeleid (een versleutelde hash), zodat we "
        "dezelfde persoon herkennen. We bewaren nooit het bewijs van je aanmelding zelf. Alles "
        "wordt {days} dagen na je afspraak gewist.",
        "en": "For some topics you sign in with itsme or eID. We then get your name and date "
        "of birth and keep them with your appointment. We do not keep your national register "
        "number: only a code derived from it (a keyed hash), to recognise the same person. We "
        "never keep the proof of your sign-in itself. Everything is erased {days} days after "
        "your appointment.",
    },
    "privacy_identity_number": {
        "nl": "Voor sommige onderwerpen meld je je aan met itsme of eID. We krijgen dan je "
        "naam, geboortedatum en rijksregisternummer en bewaren die bij je afspraak; de stad "
        "heeft de toelating om dat nummer te gebruiken. Alleen medewerkers die het nodig "
        "hebben zien het volledige nummer. We bewaren nooit het bewijs van je aanmelding "
        "zelf. Alles wordt {days} dagen na je afspraak gewist.",
        "en": "For some topics you sign in with itsme or eID. We then get your name, date of "
        "birth and national register number and keep them with your appointment; the city is "
        "authorised to use that number. Only staff who need it see the full number. We never "
        "keep the proof of your sign-in itself. Everything is erased {days} days after your "
        "appointment.",
    },
    # Staff: the call card and today's list.
    "identity_verified": {"nl": "identiteit geverifieerd", "en": "identity verified"},
    "identity_verified_on": {"nl": "op", "en": "on"},
    "identity_not_verified": {
        "nl": "Identificatie nodig, maar niet geverifieerd",
        "en": "Identification needed, but not verified",
    },
    "identity_confirm_button": {
        "nl": "Ik bevestig: de persoon in beeld is deze persoon",
        "en": "I confirm: the person on screen is this person",
    },
    "identity_confirmed": {
        "nl": "Persoon in beeld bevestigd",
        "en": "Person on screen confirmed",
    },
    "identity_birth_date": {"nl": "Geboortedatum", "en": "Date of birth"},
    "identity_number": {"nl": "Rijksregisternummer", "en": "National register number"},
    "identity_confirm_first": {
        "nl": "Bevestig eerst dat de persoon in beeld de aangemelde persoon is.",
        "en": "First confirm that the person on screen is the person who signed in.",
    },
    # Contact centre: the link to identify and book.
    "identity_link_intro": {
        "nl": "Dit onderwerp vraagt een aanmelding met itsme of eID. Je kunt het niet voor de "
        "burger boeken. Stuur een link: de burger meldt zich aan en boekt zelf.",
        "en": "This topic needs a sign-in with itsme or eID. You cannot book it for the "
        "citizen. Send a link: the citizen signs in and books themselves.",
    },
    "identity_link_send": {"nl": "Link sturen", "en": "Send link"},
    "identity_link_sent": {
        "nl": "De link is verstuurd.",
        "en": "The link has been sent.",
    },
    "identity_link_bad_email": {
        "nl": "Vul een geldig e-mailadres in.",
        "en": "Fill in a valid e-mail address.",
    },
    "identity_link_refused": {
        "nl": "Voor dit onderwerp kan geen link verstuurd worden.",
        "en": "No link can be sent for this topic.",
    },
    "identity_link_failed": {
        "nl": "De e-mail kon niet verstuurd worden. Probeer later opnieuw.",
        "en": "The e-mail could not be sent. Please try again later.",
    },
    "identity_link_email": {"nl": "E-mailadres van de burger", "en": "Citizen's e-mail address"},
    "identity_link_limited": {
        "nl": "Er werden al te veel links verstuurd (door jou of naar dit adres). Probeer later.",
        "en": "Too many links were sent already (by you or to this address). Try later.",
    },
}

LINK_MESSAGES = [
    "identity_link_sent",
    "identity_link_limited",
    "identity_link_bad_email",
    "identity_link_refused",
    "identity_link_failed",
]
REFUSAL_KEYS = [
    "identity_off",
    "identity_expired",
    "identity_cancelled",
    "identity_failed",
    "identity_level",
    "identity_claims",
    "identity_unavailable",
    "identity_busy",
]
