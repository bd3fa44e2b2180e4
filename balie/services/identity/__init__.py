"""Citizen identification with OpenID Connect (FAS, ACM/IDM, itsme); no Reflex here."""
