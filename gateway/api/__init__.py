"""The HTTP API: the Litestar app, its auth, problem details and routes."""
