"""Issue 10: unsigned routing, CORS, app clients, tokens and sign-in against a live server."""
