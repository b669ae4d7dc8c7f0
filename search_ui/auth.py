"""Login, logout, roles and CSRF for the dashboard and the registration form.

Sessions are Flask's signed cookies (``[web] secret_key``): HttpOnly, SameSite=Lax,
Secure unless ``[web] secure_cookies`` is false, lasting ``[web] session_hours``; the
session is emptied at login (no fixation) and at logout, and holds only a login token
(``search_ui.logins``) that logout deletes on the server, so a copied cookie dies with
it. The account and role are read again on every request (a removed account is out at once).
CSRF: Flask-WTF's ``CSRFProtect`` checks every POST of the blueprints passed to
``protect`` (login, dashboard, registration, the corners' pages); patron pages are GET
only and need none.
The dashboard refuses to run (503) with the built-in secret key, or one shorter than
``MIN_SECRET_KEY``, unless ``[web] demo`` is true or the app is testing. Protected pages
are sent ``no-store``; no page may be framed (``search_ui.headers``).

Errors are werkzeug HTTP exceptions rendered by ``search_ui.errors``: 403 for a role that
is not enough, 503 while the key is the default, 400 (``CSRFError``) for a bad token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta, lazy_gettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import BadRequest
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from config.webdb import web_db_path
from search_ui.account_changes import disabled_accounts
from search_ui.accounts import Accounts, User
from search_ui.clients import client_address
from search_ui.config import WEB_DEFAULTS
from search_ui.devices import known_device, remember_device
from search_ui.errors import render_error
from search_ui.login_guard import Attempt, LoginLimits
from search_ui.logins import Logins

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
MIN_SECRET_KEY = 24
"""Shorter keys can be guessed offline from one signed cookie, and sessions forged."""
View = TypeVar("View", bound=Callable[..., Any])


class LoginForm(FlaskForm):
    """Name and password of a staff member."""

    name = StringField(lazy_gettext("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=200)])


def init_auth(app: Flask) -> None:
    """Session cookie flags, CSRF, the accounts store and the login pages."""
    web = app.config["JALA_WEB"]
    hours = timedelta(hours=web["session_hours"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(web["secure_cookies"]),
        PERMANENT_SESSION_LIFETIME=hours,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=int(hours.total_seconds()),
    )
    csrf.init_app(app)
    limits = LoginLimits(int(web["login_failures_per_account"]),
                         int(web["login_failures_per_address"]),
                         int(web["login_window_seconds"]), int(web["login_delay_max_seconds"]),
                         int(web["known_device_days"]))
    database = web_db_path(app.extensions["jala_settings"])
    app.extensions["jala_accounts"] = Accounts(database, limits, app.config["JALA_CLOCK"])
    app.extensions["jala_logins"] = Logins(database, web["session_hours"])
    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.jinja_env.globals.update(current_user=current_user)


def _csrf_refused(error: CSRFError) -> Any:
    """A form without a valid token: say so in the visitor's language (400)."""
    current_app.logger.warning("CSRF check failed on %s: %s", request.path, error.description)
    return render_error(BadRequest(_("The form has expired or did not come from this site. "
                                     "Reload the page and send it again.")))


def accounts() -> Accounts:
    """The app's account store."""
    return current_app.extensions["jala_accounts"]


def logins() -> Logins:
    """The app's open logins."""
    return current_app.extensions["jala_logins"]


def insecure_key() -> bool:
    """True when the built-in or a guessably short secret key is in use where not allowed."""
    key = str(current_app.config["SECRET_KEY"] or "")
    weak = key == WEB_DEFAULTS["secret_key"] or len(key) < MIN_SECRET_KEY
    return weak and not current_app.config["JALA_WEB"]["demo"] and not current_app.testing


def protect(blueprint: Blueprint) -> None:
    """CSRF on every POST of ``blueprint``, no caching, and a real secret key (framing is
    refused on every page, ``search_ui.headers``)."""

    @blueprint.before_request
    def _guard() -> None:
        if insecure_key():
            current_app.logger.error(
                "set [web] secret_key to a random value of at least %d characters (or [web] "
                "demo = true): the dashboard and registration refuse the built-in key",
                MIN_SECRET_KEY)
            abort(503)
        csrf.protect()

    @blueprint.after_request
    def _private(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response


def current_user() -> User | None:
    """The logged-in staff member of this request, or None."""
    if "jala_user" not in g:
        name = logins().name_of(session.get("login"))
        g.jala_user = accounts().get(name) if name else None
    return g.jala_user


def login_required(role: str = "staff") -> Callable[[View], View]:
    """Send visitors to the login page, and refuse (403) accounts without ``role``."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not user.can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _safe_next(target: str | None, user: User) -> str:
    """Only a path on this site (never ``//evil`` or a full URL) is followed after login;
    without one, staff go to the dashboard and a corner's account to its catalogue."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("corner.catalogue" if user.role == "library" else "admin.dashboard")


protect(bp)


@bp.route("/masuk", methods=["GET", "POST"])
def login() -> Any:
    """The login form; a right password opens a new session."""
    form = LoginForm()
    status, problem, wait = 200, "", 0
    if form.validate_on_submit():
        name = form.name.data.strip().lower()
        attempt = Attempt(name, client_address(), known_device(name))
        guard = accounts().guard
        wait = guard.wait(attempt)
        if wait:
            status, problem = 429, "blocked"
        else:
            user = accounts().authenticate(name, form.password.data)
            if user is None:
                guard.failed(attempt)
                status, problem = 401, "wrong"
            elif user.name in disabled_accounts(accounts().path):
                status, problem = 403, "disabled"
            else:
                guard.succeeded(attempt)
                session.clear()
                session.permanent = True
                session["login"] = logins().open(user.name)
                response = redirect(_safe_next(request.args.get("next"), user))
                remember_device(response, user.name)
                return response
    elif request.method == "POST":
        status = 400
    page = render_template("auth/login.html", form=form, problem=problem,
                           wait=format_timedelta(timedelta(seconds=wait), threshold=1))
    headers = {"Retry-After": str(wait)} if wait else {}
    return page, status, headers


@bp.route("/keluar", methods=["POST"])
def logout() -> Any:
    """End the login (POST with a CSRF token, so no link can log anyone out)."""
    logins().close(session.get("login"))
    session.clear()
    return redirect(url_for("patron.home"))
