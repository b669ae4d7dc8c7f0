"""Entry point of the ``jala`` console script: one group, each component's commands.

Commands are imported only when run, so ``jala node serve`` on a district library's
small machine never loads the aggregator, the scheduler or the web app.

Errors: a damaged store file (``config.dbfile.DamagedFile``, itself or behind a store's own
error) ends any command as click's errors do, ``Error: <file> is damaged (...): <remedy>``
on stderr with exit status 1, never a traceback.
"""

from __future__ import annotations

import importlib
import logging

import click

from config.dbfile import damage_in

COMMAND_MODULES = {
    "node": "node_adapter.cli",
    "harvest": "harvester.cli",
    "sources": "harvester.cli",
    "index": "aggregator.cli",
    "search": "aggregator.cli",
    "generate": "aggregator.cli",
    "serve": "search_ui.cli",
    "users": "search_ui.cli",
    "demo": "jala.demo",
}
"""Which module's ``commands`` list holds each top-level command."""


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, without importing anything."""
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the owning module and pick the command out of its ``commands`` list."""
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(module_name)
        return next(c for c in module.commands if c.name == cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; a damaged file is told as an error naming it and the way out."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            damage = damage_in(exc)
            if damage is None:
                raise
            raise click.ClickException(str(damage)) from exc


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="jala-pustaka")
def cli(verbose: int) -> None:
    """Jala Pustaka: the province's federated library network."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main() -> None:
    """Run the command line."""
    cli()
