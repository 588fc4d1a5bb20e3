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


def test_existing_cases_get_deadlines_and_lose_their_exact_time(tmp_path):
    """Migration 0014: a report filed before it keeps only its day, gets its next
    deadline from its history, and its code works for the full period from the upgrade."""
    from datetime import datetime, timedelta

    from flask_migrate import upgrade
    from sqlalchemy import text

    from elearn import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
            "ELEARN_CONTENT_DIR": str(Path(__file__).parent / "fixtures" / "content"),
        }
    )
    filed = datetime(2020, 3, 4, 13, 37, 21)
    with app.app_context():
        upgrade(revision="a4b8d2f6c1e3")
        for public_id, status in (("OPEN0001", "received"), ("DONE0001", "closed")):
            db.session.execute(
                text(
                    "INSERT INTO concerns (public_id, secret_hash, category, language, anonymous, body_enc, status,"
                    " created_at, updated_at) VALUES (:p, 'h', 'forced_labour', 'en', 1, 'x', :s, :t, :t)"
                ),
                {"p": public_id, "s": status, "t": filed},
            )
        db.session.commit()
        upgrade()
        rows = {
            r.public_id: r
            for r in db.session.execute(
                text("SELECT public_id, created_at, updated_at, due_at, reporter_access_until FROM concerns")
            )
        }
    open_case = rows["OPEN0001"]
    assert str(open_case.created_at).startswith("2020-03-04 00:00:00") and " 00:00:00" in str(open_case.updated_at)
    assert str(open_case.due_at).startswith("2020-03-11")  # 7 days to acknowledge
    assert rows["DONE0001"].due_at is None
    until = datetime.fromisoformat(str(open_case.reporter_access_until))
    assert until >= datetime.now() + timedelta(days=89)
