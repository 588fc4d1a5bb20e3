"""The tool's RSA key: it signs deep-linking answers and the grade service's token
requests; platforms check them against /lti/jwks.

From ELEARN_LTI_PRIVATE_KEY (PEM). In debug and testing a missing key is generated once
into the instance folder (instance_keys.read_or_create: every process of the instance
reads the same one). Elsewhere, without a key, the LTI tool is off. The public JWK is
pylti1p3's (Registration.get_jwk): its key id is the RFC 7638 thumbprint of the public
key, so it stays the same as long as the key does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, current_app
from pylti1p3.registration import Registration

from ..instance_keys import read_or_create

KEY_FILE = "lti_private_key.pem"
EXTENSION = "elearn_lti_key"


@dataclass(frozen=True)
class ToolKey:
    private_pem: str
    public_pem: str

    def public_jwk(self) -> dict:
        """The public key as a JWK (never the private parts), with its kid, alg and use."""
        return dict(Registration.get_jwk(self.public_pem))


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def tool_key_from(private_pem: str) -> ToolKey:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError("ELEARN_LTI_PRIVATE_KEY must be an RSA private key (PEM)")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return ToolKey(private_pem, public_pem)


def init_app(app: Flask) -> None:
    pem = (app.config.get("ELEARN_LTI_PRIVATE_KEY") or "").strip()
    if not pem and (app.debug or app.testing):
        pem = read_or_create(Path(app.instance_path) / KEY_FILE, new_private_pem)
    app.extensions[EXTENSION] = tool_key_from(pem) if pem else None


def tool_key() -> ToolKey | None:
    """This app's key; None when the tool is off (no key configured outside debug/testing)."""
    return current_app.extensions.get(EXTENSION)
