"""Document exchange parts: the list of documents with download links, and the upload zone."""

from __future__ import annotations

from typing import Any

import reflex as rx

from balie.components.forms import message_box
from balie.components.text import localised, t
from balie.texts.documents import DOCUMENT_MESSAGES


def document_row(document: rx.Var, own_key: str, other_key: str) -> rx.Component:
    """One document: a download link (or 'being checked'), its size and who sent it."""
    origin = rx.cond(document.from_staff, t(other_key), t(own_key))
    return rx.el.li(
        rx.cond(
            document.checking,
            rx.text(document.filename, " (", t("doc_checking"), ")", as_="span"),
            rx.el.a(
                t("doc_download"),
                " ",
                document.filename,
                href=document.url,
                download=document.filename,
                class_name="document-link",
                # A real download from the API, not a page of the app's client-side router.
                custom_attrs={"reloadDocument": True},
            ),
        ),
        rx.text(" · ", document.size_label, " · ", origin, as_="span"),
    )


def document_list(rows: rx.Var, own_key: str, other_key: str, list_id: Any) -> rx.Component:
    """The documents sent so far, or a sentence that there are none."""
    return rx.cond(
        rows.length() > 0,
        rx.el.ul(
            rx.foreach(rows, lambda row: document_row(row, own_key, other_key)),
            id=list_id,
            class_name="document-list",
        ),
        rx.text(t("doc_none"), id=list_id + "-none"),
    )


def upload_zone(upload_id: str, on_send: Any, size_label: rx.Var, checking: rx.Var) -> rx.Component:
    """Choose up to three files (keyboard: Enter on the zone), then send them."""
    return rx.box(
        rx.heading(t("doc_upload_label"), as_="h3", size="4", margin_top="1rem"),
        rx.text(t("doc_upload_hint"), " ", size_label, ".", class_name="field-hint"),
        # The label names the dropzone's file input; a click on it opens the file dialog once
        # (no_click: the zone itself does not open a second one). Enter on the zone opens it too.
        rx.el.label(
            rx.upload(
                rx.text(t("doc_choose"), as_="span"),
                id=upload_id,
                multiple=True,
                max_files=3,
                no_click=True,
                class_name="upload-zone",
            ),
            display="block",
        ),
        rx.cond(
            rx.selected_files(upload_id).length() > 0,
            rx.text(
                t("doc_chosen"),
                " ",
                rx.selected_files(upload_id).join(", "),
                id=f"{upload_id}-chosen",
            ),
        ),
        rx.button(
            t("doc_send"),
            on_click=on_send(rx.upload_files(upload_id=upload_id)),
            loading=checking,
            type="button",
            id=f"{upload_id}-send",
            margin_top="0.5rem",
        ),
    )


def document_message(key: rx.Var, file_names: rx.Var, element_id: str) -> rx.Component:
    """The outcome of the last upload: a problem is announced at once."""
    return rx.cond(
        key != "",
        rx.box(
            rx.cond(file_names != "", rx.text(file_names, weight="bold")),
            rx.cond(
                key == "doc_uploaded",
                message_box(key, DOCUMENT_MESSAGES, f"{element_id}-text", problem=False),
                message_box(key, DOCUMENT_MESSAGES, f"{element_id}-text", problem=True),
            ),
            id=element_id,
        ),
    )


def requested_list(items: rx.Var) -> rx.Component:
    """What the topic asks the citizen to send."""
    return rx.cond(
        items.length() > 0,
        rx.box(
            rx.text(t("doc_requested_intro")),
            rx.el.ul(rx.foreach(items, lambda item: rx.el.li(localised(item))), id="requested"),
        ),
    )
