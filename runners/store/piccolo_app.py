"""Piccolo's view of OopsEngine: the app, its tables and migrations, and the engine.

Only Piccolo's own machinery imports this module: `oops migrate` points it here
(PICCOLO_CONF=runners.store.piccolo_app), and the top-level `piccolo_conf.py` re-exports it for
the `piccolo` command run from a checkout. So the engine is built from the settings here.
"""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, AppRegistry

from runners.settings import settings
from runners.store.database import engine_for
from runners.store.tables import TABLES

DB = engine_for(settings())

HERE = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="oopsengine",
    migrations_folder_path=os.path.join(HERE, "migrations"),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)

APP_REGISTRY = AppRegistry(apps=["runners.store.piccolo_app"])

__all__ = ["APP_CONFIG", "APP_REGISTRY", "DB"]
