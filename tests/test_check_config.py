"""`elearn check-config`: every setting unsafe for production is named; dangerous ones exit 1."""

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from elearn.command import main

SETTINGS = (
    "SECRET_KEY",
    "ELEARN_CONCERN_KEYS",
    "DATABASE_URL",
    "ELEARN_SECURE_COOKIES",
    "ELEARN_DEBUG",
    "ELEARN_RATELIMIT_STORAGE_URI",
    "ELEARN_REDIS_URL",
    "ELEARN_SMTP_HOST",
    "ELEARN_BASE_URL",
    "WEB_CONCURRENCY",
    "ELEARN_OIDC_ISSUER",
    "ELEARN_OIDC_CLIENT_ID",
    "ELEARN_OIDC_CLIENT_SECRET",
    "ELEARN_SAML_IDP_METADATA_URL",
    "ELEARN_SAML_IDP_METADATA_FILE",
    "ELEARN_SAML_SP_KEY_FILE",
    "ELEARN_SAML_SP_CERT_FILE",
    "ELEARN_LOCAL_PASSWORDS",
    "ELEARN_REQUIRE_SECOND_FACTOR",
)

SAFE = {
    "SECRET_KEY": "9f" * 32,
    "ELEARN_CONCERN_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "postgresql://elearn:pw@db/elearn",
    "ELEARN_SECURE_COOKIES": "true",
    "ELEARN_RATELIMIT_STORAGE_URI": "redis://redis:6379/0",
    "ELEARN_REDIS_URL": "redis://redis:6379/1",
    "ELEARN_SMTP_HOST": "smtp.example.com",
    "ELEARN_BASE_URL": "https://training.example.com/",
}


@pytest.fixture
def check(monkeypatch, tmp_path):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ELEARN_INSTANCE_DIR", str(tmp_path))

    def run(*args, **env):
        settings = {**SAFE, **env}
        return CliRunner().invoke(main, ["check-config", *args], env={name: settings.get(name) for name in SETTINGS})

    return run


def lines(result, level):
    return [line for line in result.output.splitlines() if line.startswith(level.upper())]


def test_a_production_configuration_passes(check):
    result = check("--workers", "4", "--machines", "3")
    assert result.exit_code == 0, result.output
    assert "0 dangerous, 0 warning(s) for 4 worker(s) on 3 machine(s)" in result.output


@pytest.mark.parametrize(
    ("env", "args", "setting", "says"),
    [
        ({"ELEARN_SECURE_COOKIES": None}, (), "ELEARN_SECURE_COOKIES", "plain HTTP"),
        ({"ELEARN_DEBUG": "true"}, (), "ELEARN_DEBUG", "debug mode is on"),
        ({"ELEARN_BASE_URL": None}, (), "ELEARN_BASE_URL", "http://127.0.0.1:5000/"),
        ({"ELEARN_RATELIMIT_STORAGE_URI": None}, ("--workers", "2"), "ELEARN_RATELIMIT_STORAGE_URI", "2 processes"),
        (
            {"ELEARN_RATELIMIT_STORAGE_URI": None, "WEB_CONCURRENCY": "3"},
            (),
            "ELEARN_RATELIMIT_STORAGE_URI",
            "3 processes",
        ),
        ({"ELEARN_RATELIMIT_STORAGE_URI": None}, ("--machines", "2"), "ELEARN_RATELIMIT_STORAGE_URI", "2 processes"),
        ({"DATABASE_URL": None}, ("--machines", "2"), "DATABASE_URL", "each would have its own database"),
        ({"SECRET_KEY": None}, (), "SECRET_KEY", "refuses to start"),
        ({"SECRET_KEY": "changeme"}, (), "SECRET_KEY", "shorter than 32"),
        ({"ELEARN_CONCERN_KEYS": None}, (), "ELEARN_CONCERN_KEYS", "refuses to start"),
        ({"ELEARN_CONCERN_KEYS": "not-a-key"}, (), "ELEARN_CONCERN_KEYS", "not a Fernet key"),
        ({"ELEARN_OIDC_ISSUER": "https://id.example.com"}, (), "ELEARN_OIDC_CLIENT_ID", "single sign-on stays off"),
        (
            {
                "ELEARN_OIDC_ISSUER": "http://id.example.com",
                "ELEARN_OIDC_CLIENT_ID": "x",
                "ELEARN_OIDC_CLIENT_SECRET": "s",
            },
            (),
            "ELEARN_OIDC_ISSUER",
            "not https://",
        ),
        ({"ELEARN_SAML_IDP_METADATA_URL": "http://idp.example.com/md"}, (), "ELEARN_SAML_IDP_METADATA_URL", "keys"),
        ({"ELEARN_SAML_IDP_METADATA_FILE": "/nowhere/md.xml"}, (), "ELEARN_SAML_IDP_METADATA_FILE", "not a file"),
        ({"ELEARN_LOCAL_PASSWORDS": "some"}, (), "ELEARN_LOCAL_PASSWORDS", "not one of"),
        ({"ELEARN_REQUIRE_SECOND_FACTOR": "everyone"}, (), "ELEARN_REQUIRE_SECOND_FACTOR", "not one of"),
    ],
)
def test_each_dangerous_setting_is_named_and_fails(check, env, args, setting, says):
    result = check(*args, **env)
    assert result.exit_code == 1, result.output
    [line] = lines(result, "dangerous")
    assert line.split()[1] == f"{setting}:" and says in line


def test_debug_without_keys_names_the_generated_keys(check):
    result = check(ELEARN_DEBUG="1", SECRET_KEY=None, ELEARN_CONCERN_KEYS=None)
    assert result.exit_code == 1
    named = {line.split()[1].rstrip(":"): line for line in lines(result, "dangerous")}
    assert set(named) == {"ELEARN_DEBUG", "SECRET_KEY", "ELEARN_CONCERN_KEYS"}
    assert "generated in the instance folder (concern_key)" in named["ELEARN_CONCERN_KEYS"]
    assert "generated in the instance folder (secret_key)" in named["SECRET_KEY"]


def test_memory_rate_limits_with_one_worker_are_fine(check):
    assert check("--workers", "1", ELEARN_RATELIMIT_STORAGE_URI=None).exit_code == 0


@pytest.mark.parametrize(
    ("env", "args", "setting", "says"),
    [
        ({"DATABASE_URL": None}, (), "DATABASE_URL", "SQLite"),
        ({"ELEARN_SMTP_HOST": None}, (), "ELEARN_SMTP_HOST", "reminder emails are not sent"),
        ({"ELEARN_REDIS_URL": None}, ("--machines", "2"), "ELEARN_REDIS_URL", "task queue is SQLite"),
        ({"ELEARN_BASE_URL": "http://training.example.com/"}, (), "ELEARN_BASE_URL", "not https://"),
        ({"ELEARN_REQUIRE_SECOND_FACTOR": "off"}, (), "ELEARN_REQUIRE_SECOND_FACTOR", "password need nothing else"),
        (
            {"ELEARN_OIDC_ISSUER": "https://id.example.com", "ELEARN_OIDC_CLIENT_ID": "x"},
            (),
            "ELEARN_OIDC_CLIENT_SECRET",
            "public client",
        ),
        ({"ELEARN_SAML_SP_KEY_FILE": "/etc/sp.key"}, (), "ELEARN_SAML_SP_KEY_FILE", "unsigned"),
    ],
)
def test_warnings_are_named_but_do_not_fail(check, env, args, setting, says):
    result = check(*args, **env)
    assert result.exit_code == 0, result.output
    assert lines(result, "dangerous") == []
    [line] = lines(result, "warning")
    assert line.split()[1] == f"{setting}:" and says in line


def test_everything_unsafe_at_once_lists_every_problem(check):
    result = check("--workers", "4", "--machines", "2", **{name: None for name in SAFE})
    assert result.exit_code == 1
    named = {line.split()[1].rstrip(":") for line in lines(result, "dangerous") + lines(result, "warning")}
    assert named == {
        "SECRET_KEY",
        "ELEARN_CONCERN_KEYS",
        "ELEARN_SECURE_COOKIES",
        "ELEARN_BASE_URL",
        "ELEARN_RATELIMIT_STORAGE_URI",
        "DATABASE_URL",
        "ELEARN_REDIS_URL",
        "ELEARN_SMTP_HOST",
    }
