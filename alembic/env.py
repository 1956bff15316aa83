"""Alembic environment: targets the mapped metadata; the connection comes from Quill's engine."""

from alembic import context
from sqlalchemy import Connection

from infrastructure.db.engine import make_engine
from infrastructure.db.migrations import migration_unit, step_recorder
from infrastructure.db.models import Base, exists_on
from infrastructure.settings import Settings

target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        on_version_apply=step_recorder(context.config),
        include_object=lambda item, _name, kind, reflected, _other: (
            reflected or kind != "index" or exists_on(connection.dialect.name, item)
        ),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # plain `alembic` command line: the database of the environment's settings
    with (
        make_engine(Settings.from_env().database_url).connect() as fresh,
        migration_unit(fresh),
    ):
        run(fresh)
