from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T11:41:41:385025"
VERSION = "1.38.0"
DESCRIPTION = "Record which API asked for a run and which HTTP method a delivery uses"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="oopsengine", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Run",
        tablename="run",
        column_name="api",
        db_column_name="api",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "v1",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Delivery",
        tablename="delivery",
        column_name="method",
        db_column_name="method",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
            "default": "POST",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
