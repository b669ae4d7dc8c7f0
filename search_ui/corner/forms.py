"""The corner's forms: a new catalogue file, its own details, its first password."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    FloatField,
    HiddenField,
    PasswordField,
    RadioField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
)

from config.profiles import LATITUDES, LONGITUDES
from search_ui.accounts import MIN_PASSWORD
from search_ui.registration.forms import UPLOAD_SUFFIXES, ContactForm


class UploadForm(FlaskForm):
    """A new spreadsheet, and whether it is the whole catalogue or only changes."""

    upload = FileField(lazy_gettext("Catalogue file"), validators=[
        FileRequired(lazy_gettext("Choose the catalogue file to upload.")),
        FileAllowed(UPLOAD_SUFFIXES, lazy_gettext("Only CSV or XLSX files."))])
    mode = RadioField(lazy_gettext("What is in the file?"), default="update", choices=[
        SelectChoice("update", lazy_gettext("New and changed books: add them, keep the rest")),
        SelectChoice("replace", lazy_gettext("The whole catalogue: books not in the file are "
                                             "removed from the search"))])
    progress_id = HiddenField(default=lambda: secrets.token_urlsafe(16))


class DetailsForm(ContactForm):
    """What patrons and the agency know about the corner, kept current by itself."""

    latitude = FloatField(lazy_gettext("Latitude"), validators=[
        Optional(), NumberRange(*LATITUDES, message=lazy_gettext(
            "A latitude in Indonesia lies between -11 and 6.5."))])
    longitude = FloatField(lazy_gettext("Longitude"), validators=[
        Optional(), NumberRange(*LONGITUDES, message=lazy_gettext(
            "A longitude in Indonesia lies between 94 and 141.5."))])

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then the pair: one coordinate alone places the corner nowhere."""
        valid = super().validate(extra_validators)
        if (self.latitude.data is None) != (self.longitude.data is None) \
                and not self.latitude.errors and not self.longitude.errors:
            missing = self.longitude if self.longitude.data is None else self.latitude
            missing.errors = [*missing.errors, _("Give both latitude and longitude, or neither.")]
            return False
        return valid


class PasswordForm(FlaskForm):
    """The password a corner's volunteer chooses, typed twice."""

    password = PasswordField(lazy_gettext("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200, message=lazy_gettext(
            "At least %(n)s characters.", n=MIN_PASSWORD))])
    confirm = PasswordField(lazy_gettext("The same password again"), validators=[
        DataRequired(), EqualTo("password", message=lazy_gettext("The two passwords differ."))])
