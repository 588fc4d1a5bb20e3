"""SECRET_KEY and ELEARN_CONCERN_KEYS when they are not configured.

In debug or testing mode each missing key is generated once, at random, into a file
of the instance folder (mode 0600), the same files `make run` writes; every process
of that instance (web workers, `elearn worker`, commands) then reads the same key.
A key is never derived from a constant or from another key. Outside debug and
testing a missing key stops the app.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask

#: setting -> (file in the instance folder, how a new value is made)
LOCAL_FILES = {
    "SECRET_KEY": ("secret_key", lambda: secrets.token_hex(32)),
    "ELEARN_CONCERN_KEYS": ("concern_key", lambda: Fernet.generate_key().decode()),
}


def require_keys(app: Flask) -> None:
    """Fill the missing keys from the instance folder (debug, tests) or refuse to start."""
    for name, (filename, make) in LOCAL_FILES.items():
        if app.config.get(name):
            continue
        if not (app.debug or app.testing):
            raise RuntimeError(f"{name} must be set (see README: Configuration)")
        app.config[name] = read_or_create(Path(app.instance_path) / filename, make)


def read_or_create(path: Path, make) -> str:
    """The key in `path`, made first if there is none. Two processes starting at once
    agree: the file appears whole (written aside, then hard-linked into place) and
    the first one to link it wins."""
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        value = ""
    if value:
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(make() + "\n")
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process made it first (or an empty file is there: see below)
    finally:
        os.unlink(aside)
    value = path.read_text().strip()
    if not value:
        raise RuntimeError(f"{path} is empty: delete it or put a key in it")
    return value
