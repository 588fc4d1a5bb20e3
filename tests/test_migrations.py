"""The migrations build the schema the models declare, on SQLite and on PostgreSQL: Alembic's
autogenerate, run against the migrated test database, finds nothing to add, drop or change."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from elearn.extensions import db


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        # the options `elearn db migrate` uses (Flask-Migrate's), types compared too
        options = {**app.extensions["migrate"].configure_args, "compare_type": True}
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, db.metadata)


def test_autogenerate_finds_no_difference_between_models_and_migrations(app):
    assert schema_differences(app) == []


def test_external_identity_table_is_kept_for_single_sign_on(app):
    from elearn.models import ExternalIdentity

    with app.app_context():
        assert ExternalIdentity.__table__.name in db.inspect(db.engine).get_table_names()
