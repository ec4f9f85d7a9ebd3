"""Watching a deployment: what it reports, whether it can take work, how much work waits.

metrics     what `/metrics` reports: queue depth, completion rate, verdicts, container starts
readiness   whether the database, Redis and a Docker engine answer
backlog     the operator's cap on waiting work, past which new work waits (503)
"""
