from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T11:48:14:752910"
VERSION = "1.38.0"
DESCRIPTION = "Record each submission's isolation"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="oopsengine", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Submission",
        tablename="submission",
        column_name="isolation",
        db_column_name="isolation",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "case",
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
