"""``/pojok/sandi/<token>``: a corner's volunteer opens the one-time link and chooses a password.

The page names the account, so the volunteer knows the name to log in with. The link is
used up only when the password is set (a mistyped form keeps it usable; the form asks for
at least ``MIN_PASSWORD`` characters, so ``redeem`` never refuses the password); the page is sent
with ``Referrer-Policy: no-referrer`` so the token never leaves in a Referer header.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from search_ui.accounts import MIN_PASSWORD
from search_ui.corner import bp
from search_ui.corner.access import password_links
from search_ui.corner.forms import PasswordForm
from search_ui.password_links import LinkError


def _page(body: str, status: int) -> Response:
    """A response that never tells another site the link it came from."""
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused(error: LinkError) -> Response:
    """The link cannot be used: say why, in the visitor's language (410 Gone)."""
    reason = error.en_text if str(get_locale()) == "en" else error.id_text
    return _page(render_template("corner/password.html", form=None, reason=reason), 410)


@bp.route("/sandi/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Any:
    """Show the password form for a usable link; set the password once."""
    links = password_links()
    try:
        name = links.name_of(token)
    except LinkError as error:
        return _refused(error)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            links.redeem(token, form.password.data)
        except LinkError as error:
            return _refused(error)
        flash(_("Your password is set. Log in with the name %(name)s.", name=name))
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return _page(render_template("corner/password.html", form=form, name=name,
                                 min_password=MIN_PASSWORD), status)
