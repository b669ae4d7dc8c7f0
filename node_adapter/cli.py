"""Command-line commands of the node adapter: ``jala node ...``."""

from __future__ import annotations

import click


@click.group()
def node() -> None:
    """A library node: import its catalogue and publish it over OAI-PMH."""


commands: list[click.Command] = [node]
