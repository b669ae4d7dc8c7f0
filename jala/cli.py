"""Entry point of the ``jala`` console script: one group, each component's commands."""

from __future__ import annotations

import logging

import click

from aggregator.cli import commands as aggregator_commands
from harvester.cli import commands as harvester_commands
from jala.demo import demo
from node_adapter.cli import commands as node_commands
from search_ui.cli import commands as web_commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="jala-pustaka")
def cli(verbose: int) -> None:
    """Jala Pustaka: the province's federated library network."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


for command in (*node_commands, *harvester_commands, *aggregator_commands, *web_commands, demo):
    cli.add_command(command)


def main() -> None:
    """Run the command line."""
    cli()
