"""The `oops` command line."""
