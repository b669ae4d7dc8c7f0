"""Provincial search site for patrons, the agency dashboard and reading-corner registration."""
