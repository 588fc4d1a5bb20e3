"""What both bench scripts need: a throw-away PostgreSQL database and the app's environment."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")


@contextmanager
def throwaway_database(prefix: str):
    """Yields (database URL, work folder, environment for elearn); drops both afterwards."""
    import psycopg
    from cryptography.fernet import Fernet

    work = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    name = f"{prefix.replace('-', '_')}_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_SERVER}/{name}"
    env = {
        **os.environ,
        "SECRET_KEY": "bench-secret",
        "DATABASE_URL": url,
        "ELEARN_INSTANCE_DIR": str(work),
        "ELEARN_CONCERN_KEYS": Fernet.generate_key().decode(),
        "ELEARN_LOGIN_LIMIT": "100000 per minute",
        "ELEARN_LOGIN_ADDRESS_LIMIT": "100000 per minute",
    }
    try:
        yield url, work, env
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
