"""Piccolo's configuration for the `piccolo` command: the engine follows OOPS_DATABASE_URL."""

from runners.store.piccolo_app import APP_REGISTRY, DB

__all__ = ["APP_REGISTRY", "DB"]
