"""Interface texts per area of the app (Dutch first, English second), merged into balie.i18n.

One module per area keeps the staff, admin, dashboard, feedback and sign-in texts apart;
``balie.i18n`` refuses a key that two areas both define.
"""
