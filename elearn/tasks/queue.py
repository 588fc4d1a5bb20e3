"""The Huey instance, from the environment (the web app and the workers read the same)."""

from __future__ import annotations

import os
from pathlib import Path

from huey import RedisHuey, SqliteHuey

from ..config import PROJECT_ROOT


def make_huey():
    name = os.environ.get("ELEARN_QUEUE_NAME") or "elearn"
    url = os.environ.get("ELEARN_REDIS_URL")
    if url:
        return RedisHuey(name, url=url, utc=True)
    folder = Path(os.environ.get("ELEARN_INSTANCE_DIR") or PROJECT_ROOT / "instance")
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(folder / "tasks.sqlite"), utc=True)


huey = make_huey()
