"""The tool's RSA key: it signs deep-linking answers and the grade service's token
requests; platforms check them against /lti/jwks.

From ELEARN_LTI_PRIVATE_KEY (PEM). In debug and testing a missing key is generated once
into the instance folder (instance_keys.read_or_create: every process of the instance
reads the same one). Elsewhere, without a key, the LTI tool is off. The key id is the
RFC 7638 thumbprint of the public key: it stays the same as long as the key does."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, current_app

from ..instance_keys import read_or_create

KEY_FILE = "lti_private_key.pem"
EXTENSION = "elearn_lti_key"


@dataclass(frozen=True)
class ToolKey:
    private_pem: str
    public_pem: str
    #: the public key's members (RFC 7517: kty, n, e)
    public_members: tuple[tuple[str, str], ...]

    @property
    def kid(self) -> str:
        """RFC 7638 thumbprint: SHA-256 of the required members in lexical order, no spaces."""
        members = json.dumps(dict(sorted(self.public_members)), separators=(",", ":"))
        return _b64(hashlib.sha256(members.encode()).digest())

    def public_jwk(self) -> dict:
        """The public key as a JWK (never the private parts), with its kid, alg and use."""
        return {**dict(self.public_members), "kid": self.kid, "alg": "RS256", "use": "sig"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64_int(number: int) -> str:
    return _b64(number.to_bytes((number.bit_length() + 7) // 8, "big"))


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
    numbers = key.public_key().public_numbers()
    return ToolKey(private_pem, public_pem, (("e", _b64_int(numbers.e)), ("kty", "RSA"), ("n", _b64_int(numbers.n))))


def init_app(app: Flask) -> None:
    pem = (app.config.get("ELEARN_LTI_PRIVATE_KEY") or "").strip()
    if not pem and (app.debug or app.testing):
        pem = read_or_create(Path(app.instance_path) / KEY_FILE, new_private_pem)
    app.extensions[EXTENSION] = tool_key_from(pem) if pem else None


def tool_key() -> ToolKey | None:
    """This app's key; None when the tool is off (no key configured outside debug/testing)."""
    return current_app.extensions.get(EXTENSION)
