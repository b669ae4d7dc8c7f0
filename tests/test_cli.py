"""The ``jala`` command line: every component's commands reachable, loaded lazily."""

from __future__ import annotations

import importlib
import subprocess
import sys

from click.testing import CliRunner

from jala.cli import COMMAND_MODULES, cli


def test_every_component_command_is_listed_and_resolves() -> None:
    declared = {
        command.name
        for module in set(COMMAND_MODULES.values())
        for command in importlib.import_module(module).commands
    }
    assert declared == set(COMMAND_MODULES)
    for name in COMMAND_MODULES:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert f" {name} [OPTIONS]" in result.output


def test_node_serve_does_not_load_the_central_components() -> None:
    probe = (
        "import sys; from jala.cli import cli\n"
        "cli.get_command(None, 'node')\n"
        "print(sorted(m for m in ('aggregator.engine', 'apscheduler', 'search_ui.app', 'tantivy')"
        " if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert output == "[]"
