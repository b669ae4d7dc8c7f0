"""The registration form: who the library is, how to reach it, where its catalogue is."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from config.network import LIBRARY_TYPES
from config.province import load_province
from search_ui.patron.present import library_type_name, whatsapp_number

EMAIL = r"^[^@\s]+@([^@\s.]+\.)+[^@\s.]+$"
UPLOAD_SUFFIXES = ["csv", "xlsx"]


def valid_whatsapp(form: FlaskForm, field: Any) -> None:
    """Accept 08…, +62… or 62… numbers of a plausible length."""
    number = whatsapp_number(field.data)
    if not re.fullmatch(r"62\d{8,13}", number):
        raise ValidationError(_("Write a mobile number such as 0812 3456 7890."))


def library_type_choices() -> list[SelectChoice]:
    """Kinds of library that register themselves (the provincial library is configured)."""
    return [SelectChoice(kind, library_type_name(kind)) for kind in LIBRARY_TYPES
            if kind != "provinsi"]


def district_choices() -> list[SelectChoice]:
    """The province's kabupaten and kota (``config.province``), after an empty prompt."""
    province = load_province(current_app.extensions["jala_settings"])
    return [SelectChoice("", _("Choose…")),
            *(SelectChoice(d.name, d.name) for d in province.districts)]


class ContactForm(FlaskForm):
    """Where a library is and who answers for it: asked at registration, kept current by
    a hosted corner itself (``search_ui.corner.forms.DetailsForm``)."""

    address = TextAreaField(lazy_gettext("Address"),
                            validators=[DataRequired(), Length(max=300)])
    contact_name = StringField(lazy_gettext("Contact person"),
                               validators=[DataRequired(), Length(max=80)])
    email = EmailField(lazy_gettext("E-mail"), validators=[
        DataRequired(), Length(max=120),
        Regexp(EMAIL, message=lazy_gettext("Write an e-mail address such as nama@contoh.id."))])
    whatsapp = StringField(lazy_gettext("WhatsApp number"),
                           validators=[DataRequired(), valid_whatsapp])
    opening_hours = StringField(lazy_gettext("Opening hours"),
                                validators=[Optional(), Length(max=120)])


class RegistrationForm(ContactForm):
    """Everything the agency needs to list and harvest a new library."""

    name = StringField(lazy_gettext("Name of the library or reading corner"),
                       validators=[DataRequired(), Length(max=120)])
    type = SelectField(lazy_gettext("Kind of library"), default="taman-baca",
                       validators=[DataRequired()])
    district = SelectField(lazy_gettext("Regency or city"), validators=[DataRequired()])
    catalogue = RadioField(lazy_gettext("Where is your catalogue?"), default="oai", choices=[
        SelectChoice("oai", lazy_gettext("We have an OAI-PMH address (SLiMS, INLISLite or the "
                                         "Jala Pustaka node)")),
        SelectChoice("upload", lazy_gettext("We upload a spreadsheet (CSV or XLSX)")),
        SelectChoice("push", lazy_gettext("Our Jala Pustaka node cannot be reached from the "
                                          "internet: it sends its changes itself (jala node "
                                          "push)"))])
    base_url = URLField(lazy_gettext("OAI-PMH address"), validators=[Length(max=300)])
    upload = FileField(lazy_gettext("Catalogue file"), validators=[
        FileAllowed(UPLOAD_SUFFIXES, lazy_gettext("Only CSV or XLSX files."))])
    progress_id = HiddenField(default=lambda: secrets.token_urlsafe(16))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = library_type_choices()
        self.district.choices = district_choices()

    def validate_base_url(self, field: Any) -> None:
        """The address is needed when the catalogue is published over OAI-PMH."""
        if self.catalogue.data == "oai" and not (field.data or "").strip():
            raise ValidationError(_("Write the OAI-PMH address, or choose to upload a file."))

    def validate_upload(self, field: Any) -> None:
        """A file is needed when the catalogue is uploaded."""
        if self.catalogue.data == "upload" and not field.data:
            raise ValidationError(_("Choose the catalogue file to upload."))
