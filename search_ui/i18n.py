"""Interface language: Bahasa Indonesia unless the visitor picked another.

The choice travels as ``?lang=en`` on the switch link; the app then remembers it in a
``lang`` cookie so every later page keeps it. Default pages (no parameter, no cookie) are
Indonesian, which is what search engines index; ``?lang=en`` URLs are the English
alternates announced with ``hreflang``. Responses vary by cookie.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request, url_for
from flask_babel import Babel, get_locale

from search_ui.clients import site_base

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
OG_LOCALES = {"id": "id_ID", "en": "en_US"}


def _languages() -> list[str]:
    """Languages this deployment offers."""
    return current_app.config["JALA_LANGUAGES"]


def select_locale() -> str:
    """The ``lang`` parameter, else the cookie, else the default language."""
    for chosen in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if chosen in _languages():
            return chosen
    return current_app.config["JALA_DEFAULT_LANGUAGE"]


def remember_choice(response: Response) -> Response:
    """Store an explicit ``?lang=`` choice in the cookie; mark the response as varying."""
    chosen = request.args.get("lang")
    if chosen in _languages() and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            httponly=True)
    response.vary.add("Cookie")
    return response


def switch_url(code: str) -> str:
    """This page's address in another language (same arguments, ``lang`` replaced)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    endpoint = request.endpoint or "patron.home"
    return url_for(endpoint, **(request.view_args or {}), **args)


def alternate_url(code: str, canonical: str = "") -> str:
    """This page's full address in language ``code``, for ``hreflang`` and ``canonical``.

    Search engines want absolute alternates (on ``site_base()``; the path alone when no
    address is known), and each language's page canonical to itself:
    the default language is the address without ``lang``, the others add ``?lang=``. A
    page's own ``canonical`` (no query) is the base when the view gives one; otherwise the
    request's address with its arguments.
    """
    chosen = {} if code == current_app.config["JALA_DEFAULT_LANGUAGE"] else {"lang": [code]}
    if canonical:
        return canonical + (f"?lang={code}" if chosen else "")
    args = {key: values for key, values in request.args.to_dict(flat=False).items()
            if key != "lang"}
    path = url_for(request.endpoint or "patron.home", **(request.view_args or {}),
                   **args, **chosen)
    return site_base() + path


def init_i18n(app: Flask) -> None:
    """Wire Flask-Babel to our catalogues and locale rule."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["JALA_DEFAULT_LANGUAGE"]
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_choice)
    app.jinja_env.globals.update(switch_url=switch_url, alternate_url=alternate_url,
                                 og_locales=OG_LOCALES,
                                 get_locale=get_locale)
