"""The ``jala`` command: gathers each component's click commands; no logic of its own."""
