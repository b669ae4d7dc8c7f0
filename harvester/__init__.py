"""Harvester: incremental, resumable OAI-PMH harvesting of every source into the record store."""
