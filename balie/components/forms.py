"""Accessible form parts: labelled fields with hints and errors tied to them."""

from typing import Any

import reflex as rx

from balie.components.text import t, text_for
from balie.i18n import ERRORS


def error_text(key: rx.Var) -> rx.Var:
    """The message for an error key, in the visitor's language."""
    return text_for(key, list(ERRORS))


def step_heading(key: str) -> rx.Component:
    """The heading of a wizard step; focus moves here when the step opens."""
    return rx.heading(
        t(key), as_="h2", size="6", id="step-heading", tab_index=-1, margin_bottom="1rem"
    )


def field_error(field: str, errors: rx.Var) -> rx.Component:
    """The error under a field, when there is one."""
    return rx.cond(
        errors.contains(field),
        rx.text(error_text(errors[field]), id=f"{field}-error", class_name="field-error"),
    )


def described_by(field: str, errors: rx.Var, hint: bool) -> rx.Var:
    """aria-describedby: the hint and, when present, the error."""
    base = f"{field}-hint" if hint else ""
    with_error = f"{base} {field}-error".strip()
    return rx.cond(errors.contains(field), with_error, base)


def text_field(
    field: str,
    label: str,
    value: rx.Var,
    errors: rx.Var,
    *,
    input_type: str = "text",
    autocomplete: str = "",
    hint: str | None = None,
    required: bool = False,
    on_blur: Any = None,
) -> rx.Component:
    """A labelled text input that keeps its value and shows its error (``on_blur``: optional)."""
    return rx.box(
        rx.el.label(t(label), html_for=field, class_name="field-label"),
        rx.text(t(hint), id=f"{field}-hint", class_name="field-hint") if hint else rx.fragment(),
        rx.el.input(
            id=field,
            name=field,
            type=input_type,
            default_value=value,
            auto_complete=autocomplete or None,
            required=required,
            class_name="field-input",
            custom_attrs={
                "aria-invalid": rx.cond(errors.contains(field), "true", "false"),
                "aria-describedby": described_by(field, errors, hint is not None),
            },
            **({"on_blur": on_blur} if on_blur is not None else {}),
        ),
        field_error(field, errors),
        class_name="field",
    )


def message_box(key: rx.Var, keys: list[str], element_id: str, *, problem: bool) -> rx.Component:
    """The text behind ``key`` (one of ``keys``) in a callout, when ``key`` is set.

    Problems are red and announced at once (role=alert); outcomes politely (role=status).
    """
    return rx.cond(
        key != "",
        rx.callout(
            text_for(key, keys),
            color_scheme="red" if problem else None,
            role="alert" if problem else "status",
            id=element_id,
            margin_bottom="1rem",
        ),
    )
