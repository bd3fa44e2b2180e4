"""The app's pages; importing this package registers every page module with Reflex."""

import importlib
import pkgutil


def register_all() -> None:
    """Import every module in this package (each defines its pages with @rx.page)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
