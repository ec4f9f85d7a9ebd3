"""Piccolo's configuration: the engine follows OOPS_DATABASE_URL (unset: the embedded SQLite)."""

from piccolo.conf.apps import AppRegistry

from runners.database import DB

APP_REGISTRY = AppRegistry(apps=["runners.piccolo_app"])

__all__ = ["APP_REGISTRY", "DB"]
