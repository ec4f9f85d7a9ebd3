"""Runs untrusted code in disposable Docker containers and records what it did.

Imports `grading`; imported by `gateway`. Never the other way round.
"""
