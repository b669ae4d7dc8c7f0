"""Command-line commands of this component, gathered by ``jala.cli``: ``jala serve`` and
``jala users add|list|disable|enable|remove|reset-password`` (dashboard accounts).

SIGTERM (what systemd sends) stops a listening ``jala serve`` as Ctrl-C does, with exit
status 0: waitress stops accepting and lets running requests end, the worker stops (each
running harvest commits the page in hand; an interrupted "harvest now" job is queued
again), the usage tally is flushed. A second signal acts as usual.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import click
import waitress

from config.diskspace import full_disk_as_error
from config.network import load_sources
from config.settings import Settings, settings_options
from config.webdb import web_db_path
from search_ui.account_changes import AccountChanges, disabled_accounts
from search_ui.accounts import ROLES, AccountError, Accounts
from search_ui.config import WEB_DEFAULTS
from search_ui.decisions import command_line_actor

log = logging.getLogger(__name__)


def listening_on(settings: Settings, host: str | None, port: int | None) -> Settings:
    """Settings in which ``[web] host``/``port`` are where this server really listens.

    The command line wins over the environment and the file, so hosted catalogues are
    published (and harvested by the worker) at the address actually served.
    """
    chosen = {"JALA_WEB_HOST": host, "JALA_WEB_PORT": None if port is None else str(port)}
    overrides = {key: value for key, value in chosen.items() if value is not None}
    return dataclasses.replace(settings, environ={**settings.environ, **overrides})


@click.command("serve")
@settings_options
@click.option("--host", help="Address to listen on (default: [web] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535),
              help="Port to listen on (default: [web] port, 5000).")
@click.option("--no-worker", is_flag=True,
              help="Serve pages only: no harvest scheduler and no indexing in this process.")
def serve(settings: Settings, host: str | None, port: int | None, no_worker: bool) -> None:
    """Run the patron site and /api/v1 on waitress, with the harvest worker beside it."""
    from aggregator.engine import EngineError
    from aggregator.worker import WorkerRole
    from search_ui.app import create_app

    settings = listening_on(settings, host, port)
    web = settings.section("web", WEB_DEFAULTS)
    worker = None
    with full_disk_as_error(settings.data_dir):
        if not no_worker:
            try:
                worker = WorkerRole(settings).start()
            except (EngineError, OSError) as exc:
                raise click.ClickException(f"cannot start the worker role: {exc}") from exc
        app = create_app({"SETTINGS": settings,
                          "JALA_INDEXING": worker.health if worker else None})
    address = (web["host"], web["port"])
    click.echo(f"Jala Pustaka on http://{address[0]}:{address[1]}"
               + ("" if worker else " (pages only, no harvesting)"))
    try:
        with sigterm_stops_waitress():
            waitress.serve(app, host=address[0], port=address[1], threads=web["threads"],
                           ident="jala")
    finally:
        if worker is not None:
            worker.stop()
            click.echo("worker stopped", err=True)
        app.extensions["jala_usage"].flush()
        app.extensions["search_service"].close()
    click.echo("Jala Pustaka stopped", err=True)


@contextmanager
def sigterm_stops_waitress() -> Iterator[None]:
    """SIGTERM ends waitress's loop as Ctrl-C does (it catches SystemExit and closes)."""
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: FrameType | None) -> None:
        log.warning("SIGTERM: stopping (no new requests; harvests end after their page)")
        signal.signal(signal.SIGTERM, previous)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.group("users")
def users() -> None:
    """Dashboard accounts: the agency's staff, and the libraries' own."""


@users.command("add")
@settings_options
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="staff", show_default=True,
              help="admin also approves and rejects registrations; library manages only "
                   "its --source (its census row, and its catalogue when hosted).")
@click.option("--source", "source_id", help="The library's source id (role library only).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
def users_add(settings: Settings, name: str, role: str, source_id: str | None,
              password_stdin: bool) -> None:
    """Create an account (the password is asked for twice unless --password-stdin)."""
    if source_id and source_id not in {s.id for s in load_sources(settings)}:
        raise click.ClickException(f"no source {source_id!r} in the network")
    password = _password(password_stdin)
    with _refusals_as_errors():
        user = Accounts(web_db_path(settings)).add(name, password, role, source_id)
    click.echo(f"user {user.name} ({user.role}) created")


@users.command("list")
@settings_options
def users_list(settings: Settings) -> None:
    """List accounts: name, role, created, last login, and "disabled" when it is."""
    disabled = disabled_accounts(web_db_path(settings))
    for user in Accounts(web_db_path(settings)).all():
        role = f"{user.role}:{user.source}" if user.source else user.role
        click.echo(f"{user.name}\t{role}\t{user.created}\t{user.last_login or '-'}"
                   + ("\tdisabled" if user.name in disabled else ""))


def _password(from_stdin: bool) -> str:
    """A password from the first line of standard input, or asked for twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _changes(settings: Settings) -> AccountChanges:
    """Account changes logged as made at this shell."""
    return AccountChanges(web_db_path(settings), command_line_actor())


@contextmanager
def _refusals_as_errors() -> Iterator[None]:
    """An account change that is refused ends the command with its reason."""
    try:
        yield
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc


def _name_command(command: str, change: Callable[[AccountChanges, str], None], done: str,
                  help_text: str, confirm: str = "") -> None:
    """Add a ``jala users`` command that applies one account change to a name."""

    def run(settings: Settings, name: str) -> None:
        with _refusals_as_errors():
            change(_changes(settings), name)
        click.echo(f"user {name} {done}")

    run.__doc__ = help_text
    if confirm:
        run = click.confirmation_option(prompt=confirm)(run)
    users.command(command)(settings_options(click.argument("name")(run)))


_name_command("disable", AccountChanges.disable, "disabled",
              "Refuse an account's logins (its open ones end now) until it is enabled.")
_name_command("enable", AccountChanges.enable, "enabled", "Let a disabled account log in again.")
_name_command("remove", AccountChanges.remove, "removed",
              "Delete an account and end its open logins.", "Remove this account for good?")


@users.command("reset-password")
@settings_options
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from the first line of standard input.")
def users_reset_password(settings: Settings, name: str, password_stdin: bool) -> None:
    """Give an account a new password (asked twice unless --password-stdin); its open
    logins end."""
    with _refusals_as_errors():
        _changes(settings).reset_password(name, _password(password_stdin))
    click.echo(f"user {name}: new password set")


commands: list[click.Command] = [serve, users]
