"""Missing keys: generated once per instance folder in debug and tests, never derived from
a constant or from another key; refused outside debug and testing."""

import base64
import hashlib
import stat

import pytest
from cryptography.fernet import Fernet

from elearn import create_app

from .conftest import FIXTURE_CONTENT


@pytest.fixture
def bare_env(monkeypatch):
    for name in ("SECRET_KEY", "ELEARN_CONCERN_KEYS", "ELEARN_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def new_app(monkeypatch, instance, **config):
    monkeypatch.setenv("ELEARN_INSTANCE_DIR", str(instance))
    return create_app(
        {
            "ELEARN_CONTENT_DIR": str(FIXTURE_CONTENT),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'db.sqlite'}",
            **config,
        }
    )


def cipher(app):
    return app.extensions["elearn_concern_cipher"]


def test_two_instances_generate_different_keys_kept_in_0600_files(bare_env, tmp_path):
    one = new_app(bare_env, tmp_path / "one", DEBUG=True)
    two = new_app(bare_env, tmp_path / "two", TESTING=True)
    assert one.secret_key and two.secret_key and one.secret_key != two.secret_key
    assert len(one.secret_key) == 64
    assert one.config["ELEARN_CONCERN_KEYS"] != two.config["ELEARN_CONCERN_KEYS"]
    for instance, app in ((tmp_path / "one", one), (tmp_path / "two", two)):
        assert (instance / "secret_key").read_text().strip() == app.secret_key
        assert (instance / "concern_key").read_text().strip() == app.config["ELEARN_CONCERN_KEYS"]
        for name in ("secret_key", "concern_key"):
            assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600
    with pytest.raises(RuntimeError):
        cipher(two).decrypt(cipher(one).encrypt("text"))


def test_processes_of_one_instance_agree_and_read_the_files_make_run_writes(bare_env, tmp_path):
    instance = tmp_path / "inst"
    instance.mkdir()
    made_by_make_run = Fernet.generate_key().decode()
    (instance / "concern_key").write_text(made_by_make_run + "\n")
    web = new_app(bare_env, instance, DEBUG=True)
    worker = new_app(bare_env, instance, DEBUG=True)
    assert web.secret_key == worker.secret_key
    assert web.config["ELEARN_CONCERN_KEYS"] == made_by_make_run
    assert cipher(worker).decrypt(cipher(web).encrypt("text")) == "text"


def test_the_concern_key_is_not_derived_from_the_secret_key(bare_env, tmp_path):
    """Two instances with the same configured secret still get unrelated concern keys,
    and neither is the one the secret used to derive."""
    one = new_app(bare_env, tmp_path / "one", TESTING=True, SECRET_KEY="test-secret")
    two = new_app(bare_env, tmp_path / "two", TESTING=True, SECRET_KEY="test-secret")
    assert one.config["ELEARN_CONCERN_KEYS"] != two.config["ELEARN_CONCERN_KEYS"]
    with pytest.raises(RuntimeError):
        cipher(two).decrypt(cipher(one).encrypt("text"))
    derived = base64.urlsafe_b64encode(hashlib.sha256(b"concerns:test-secret").digest())
    with pytest.raises(RuntimeError):
        cipher(one).decrypt(Fernet(derived).encrypt(b"text").decode())
    assert one.secret_key == "test-secret"  # a configured key is used as it is


def test_secret_key_is_never_a_constant_in_debug(bare_env, tmp_path):
    app = new_app(bare_env, tmp_path / "one", DEBUG=True)
    assert app.secret_key != "dev-only-not-secret"


@pytest.mark.parametrize(
    ("missing", "filename"), [("SECRET_KEY", "secret_key"), ("ELEARN_CONCERN_KEYS", "concern_key")]
)
def test_only_debug_and_testing_fall_back_production_refuses(bare_env, tmp_path, missing, filename):
    keys = {"SECRET_KEY": "s" * 64, "ELEARN_CONCERN_KEYS": Fernet.generate_key().decode()}
    del keys[missing]
    with pytest.raises(RuntimeError, match=missing):
        new_app(bare_env, tmp_path / "prod", **keys)
    assert not (tmp_path / "prod" / filename).exists()

    bare_env.setenv("ELEARN_DEBUG", "true")  # the same configuration, debugging
    app = new_app(bare_env, tmp_path / "prod", **keys)
    assert app.config[missing] == (tmp_path / "prod" / filename).read_text().strip()
