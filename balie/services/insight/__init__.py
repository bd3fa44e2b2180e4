"""Figures: for managers (``statistics``), across organisations for the platform
(``platform_statistics``) and for Prometheus (``metrics``)."""
