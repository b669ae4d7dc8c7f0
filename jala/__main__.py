"""``python -m jala`` runs the same command line as the ``jala`` script."""

from jala.cli import main

main()
