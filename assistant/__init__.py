"""Otklik's reply chain: mention → classification → decision → retrieval → draft → check."""
