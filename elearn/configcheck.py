"""`elearn check-config`: the settings that are unsafe for production.

It reads the environment as the app would, without starting it (so it also
reports what would stop the app from starting). Two levels:

- dangerous: exposes sessions or data, or breaks with the expected number of
  processes; the command exits 1.
- warning: works, but something is missing or weaker than it should be.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .config import PROJECT_ROOT, Config

DANGEROUS = "dangerous"
WARNING = "warning"
DEFAULT_BASE_URL = "http://127.0.0.1:5000/"


@dataclass(frozen=True)
class Finding:
    level: str
    setting: str
    problem: str

    def __str__(self) -> str:
        return f"{self.level.upper():9} {self.setting}: {self.problem}"


def instance_dir() -> Path:
    return Path(os.environ.get("ELEARN_INSTANCE_DIR") or PROJECT_ROOT / "instance")


def check(config: Config, *, workers: int, machines: int, redis_url: str | None) -> list[Finding]:
    """Every unsafe setting of `config` for `workers` processes on each of `machines`."""
    found: list[Finding] = []

    def dangerous(setting: str, problem: str) -> None:
        found.append(Finding(DANGEROUS, setting, problem))

    def warning(setting: str, problem: str) -> None:
        found.append(Finding(WARNING, setting, problem))

    if config.DEBUG:
        dangerous("ELEARN_DEBUG", "debug mode is on: errors escape the error page, missing keys are generated")
    _check_keys(config, dangerous)
    if not config.SESSION_COOKIE_SECURE:
        dangerous("ELEARN_SECURE_COOKIES", "not true: session cookies are also sent over plain HTTP")
    base_url = config.ELEARN_BASE_URL
    if base_url.rstrip("/") == DEFAULT_BASE_URL.rstrip("/"):
        dangerous(
            "ELEARN_BASE_URL",
            f"the default {DEFAULT_BASE_URL}: links in emails, certificates and "
            "activation sheets point at the local machine",
        )
    elif not base_url.startswith("https://"):
        warning("ELEARN_BASE_URL", "not https://: the links the app sends out are not encrypted")
    processes = workers * machines
    if config.RATELIMIT_STORAGE_URI.startswith("memory://") and processes > 1:
        dangerous(
            "ELEARN_RATELIMIT_STORAGE_URI",
            f"memory:// with {processes} processes: each counts alone, so sign-in and report "
            f"limits are {processes} times looser (use redis://)",
        )
    if config.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
        if machines > 1:
            dangerous("DATABASE_URL", f"SQLite with {machines} machines: each would have its own database")
        else:
            warning("DATABASE_URL", "SQLite: one machine only, one writer at a time (use PostgreSQL)")
    if not redis_url and machines > 1:
        warning(
            "ELEARN_REDIS_URL",
            f"not set with {machines} machines: the task queue is SQLite in each "
            "machine's instance folder, so a task started on one machine runs only "
            "on workers of that machine",
        )
    if not config.ELEARN_SMTP_HOST:
        warning("ELEARN_SMTP_HOST", "not set: reminder emails are not sent")
    _check_sign_in(config, dangerous, warning)
    from .branding import branding_problems

    for problem in branding_problems(vars(config)):
        dangerous(problem.setting, f"{problem.problem} (the app refuses to start)")
    return found


def _is_local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "http://localhost"))


def _check_sign_in(config: Config, dangerous, warning) -> None:
    """Single sign-on and the second factor: half-set or unsafe settings."""
    issuer, client_id = config.ELEARN_OIDC_ISSUER, config.ELEARN_OIDC_CLIENT_ID
    if bool(issuer) != bool(client_id):
        missing = "ELEARN_OIDC_CLIENT_ID" if issuer else "ELEARN_OIDC_ISSUER"
        dangerous(missing, "not set while the other OpenID Connect setting is: single sign-on stays off")
    if issuer and not issuer.startswith("https://") and not _is_local(issuer):
        dangerous("ELEARN_OIDC_ISSUER", "not https://: ID tokens and keys could be read or changed on the way")
    if issuer and client_id and not config.ELEARN_OIDC_CLIENT_SECRET:
        warning("ELEARN_OIDC_CLIENT_SECRET", "not set: the app signs in as a public client (PKCE only)")
    metadata_url, metadata_file = config.ELEARN_SAML_IDP_METADATA_URL, config.ELEARN_SAML_IDP_METADATA_FILE
    if metadata_url and not metadata_url.startswith("https://") and not _is_local(metadata_url):
        dangerous(
            "ELEARN_SAML_IDP_METADATA_URL",
            "not https://: whoever changes the metadata on the way chooses the keys assertions are checked with",
        )
    if metadata_file and not Path(metadata_file).is_file():
        dangerous("ELEARN_SAML_IDP_METADATA_FILE", f"{metadata_file} is not a file: SAML sign-in cannot start")
    if bool(config.ELEARN_SAML_SP_KEY_FILE) != bool(config.ELEARN_SAML_SP_CERT_FILE):
        warning("ELEARN_SAML_SP_KEY_FILE", "set without ELEARN_SAML_SP_CERT_FILE or the reverse: requests go unsigned")
    if config.ELEARN_LOCAL_PASSWORDS not in ("all", "without_sso"):
        dangerous("ELEARN_LOCAL_PASSWORDS", f"'{config.ELEARN_LOCAL_PASSWORDS}' is not one of: all, without_sso")
    if config.ELEARN_REQUIRE_SECOND_FACTOR not in ("admins", "off"):
        dangerous("ELEARN_REQUIRE_SECOND_FACTOR", f"'{config.ELEARN_REQUIRE_SECOND_FACTOR}' is not one of: admins, off")
    elif config.ELEARN_REQUIRE_SECOND_FACTOR == "off":
        warning(
            "ELEARN_REQUIRE_SECOND_FACTOR",
            "off: admins and case handlers who sign in with a password need nothing else "
            "(safe only if they all sign in through a provider that asks for a second factor)",
        )


def _check_keys(config: Config, dangerous) -> None:
    from cryptography.fernet import Fernet

    for name, filename in (("SECRET_KEY", "secret_key"), ("ELEARN_CONCERN_KEYS", "concern_key")):
        if getattr(config, name):
            continue
        if config.DEBUG:
            dangerous(
                name,
                f"not set: generated in the instance folder ({filename}), so it differs on "
                "every machine and is lost with the folder",
            )
        else:
            dangerous(name, "not set: the app refuses to start")
    if config.SECRET_KEY and len(config.SECRET_KEY) < 32:
        dangerous(
            "SECRET_KEY",
            "shorter than 32 characters: sessions could be forged "
            "(python -c 'import secrets; print(secrets.token_hex(32))')",
        )
    for key in (k.strip() for k in config.ELEARN_CONCERN_KEYS.split(",") if k.strip()):
        try:
            Fernet(key.encode())
        except ValueError:
            dangerous("ELEARN_CONCERN_KEYS", "holds a value that is not a Fernet key (elearn concerns new-key)")
            break
