"""Real JavaScript clients (from npm, unmodified) against a live server: the drivers
(``*.mjs``) speak one JSON line per request with ``tests/clients/node.py``."""
