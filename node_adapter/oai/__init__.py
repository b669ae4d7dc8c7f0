"""OAI-PMH 2.0 provider: verbs, tokens, formats, responses and the Flask blueprint."""
