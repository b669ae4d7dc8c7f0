"""The province's union catalogue, published for the nation: OAI-PMH, SRU and open data."""
