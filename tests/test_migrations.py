"""The migrations build the schema the models declare, on SQLite and on PostgreSQL: Alembic's
autogenerate, run against the migrated test database, finds nothing to add, drop or change."""

from pathlib import Path

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


def test_admins_scoped_to_global_keep_africa_and_oceania(tmp_path):
    """Africa and Oceania left `global` in content 1.1: migration 0011 adds both regions
    to every admin scoped to global, once, and to nobody else."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from elearn import create_app
    from elearn.admin.models import AdminScope
    from elearn.models import User

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
            "ELEARN_CONTENT_DIR": str(Path(__file__).parent / "fixtures" / "content"),
        }
    )
    with app.app_context():
        upgrade(revision="d1f4b2a5c6e7")
        people = {name: User(employee_id=name, name=name) for name in ("world", "both", "europe", "everyone")}
        db.session.add_all(people.values())
        db.session.flush()
        scopes = [("world", "global"), ("both", "global"), ("both", "africa"), ("europe", "europe")]
        db.session.add_all(AdminScope(admin_id=people[n].id, kind="region", value=v) for n, v in scopes)
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            select(User.employee_id, AdminScope.value).join(AdminScope, AdminScope.admin_id == User.id)
        )
        have = sorted(tuple(r) for r in rows)
    assert have == [
        ("both", "africa"),
        ("both", "global"),
        ("both", "oceania"),
        ("europe", "europe"),
        ("world", "africa"),
        ("world", "global"),
        ("world", "oceania"),
    ]
