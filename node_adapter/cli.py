"""Command-line commands of the node adapter: ``jala node ...``."""

from __future__ import annotations

import click

from node_adapter.intake.commands import import_command, sample_command, template_command
from node_adapter.push_cli import push_command
from node_adapter.serve import serve_command
from node_adapter.slims.cli import sync_command


@click.group()
def node() -> None:
    """A library node: import its catalogue and publish it over OAI-PMH."""


node.add_command(import_command)
node.add_command(template_command)
node.add_command(sample_command)
node.add_command(serve_command)
node.add_command(push_command)
node.add_command(sync_command)

commands: list[click.Command] = [node]
