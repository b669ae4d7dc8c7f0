"""Command-line commands of this component, gathered by ``jala.cli``."""

from __future__ import annotations

import click

commands: list[click.Command] = []
