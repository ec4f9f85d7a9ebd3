"""The front door: the `oops` command line and the HTTP API."""
