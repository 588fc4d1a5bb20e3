"""Files made by tasks for one admin: kept in the database (shared by every web process
and worker), served only to the admin who asked while they are an active admin, and
purged once expired (ELEARN_EXPORT_KEEP_HOURS)."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, select

from ..extensions import db
from ..models import User, active_user, utcnow
from .models import GeneratedFile


def store_file(owner_id: int, task_run_id: int | None, file_name: str, content_type: str, data: bytes) -> int:
    """Adds the file (the caller commits) and returns its id."""
    now = utcnow()
    generated = GeneratedFile(
        owner_id=owner_id,
        task_run_id=task_run_id,
        file_name=file_name,
        content_type=content_type,
        data=data,
        size=len(data),
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["ELEARN_EXPORT_KEEP_HOURS"]),
    )
    db.session.add(generated)
    db.session.flush()
    return generated.id


def file_for(file_id: int, user_id: int, now: datetime | None = None) -> GeneratedFile | None:
    """The file if `user_id` asked for it, is an active admin and it has not expired; else
    None, whatever the reason (the caller answers 404 alike: no existence leak)."""
    row = db.session.execute(
        select(GeneratedFile, User)
        .join(User, User.id == GeneratedFile.owner_id)
        .where(
            GeneratedFile.id == file_id,
            GeneratedFile.owner_id == user_id,
            GeneratedFile.expires_at > (now or utcnow()),
            active_user(user_id),
        )
    ).first()
    if row is None or not row.User.has_role("admin"):
        return None
    return row.GeneratedFile


def purge_expired(now: datetime | None = None) -> int:
    """Deletes expired files (the caller commits); returns how many."""
    result = db.session.execute(delete(GeneratedFile).where(GeneratedFile.expires_at <= (now or utcnow())))
    return result.rowcount  # type: ignore[attr-defined]


files_group = AppGroup("files", help="Files made by background tasks (large exports and reports).")


@files_group.command("purge")
def purge_command():
    """Delete expired generated files now (workers also do it every hour)."""
    count = purge_expired()
    db.session.commit()
    click.echo(f"purged {count} expired file(s)")
