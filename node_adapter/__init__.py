"""Node adapter: a library's catalogue published over OAI-PMH 2.0."""
