"""Citizens' personal data: erase it after the retention time (``retention``), answer requests
about it (``data_requests``) and stop mail nobody asked for (``mail_suppression``)."""
