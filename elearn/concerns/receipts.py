"""Receipt codes: an id part (to find the case) and a secret part (to prove it).

28 base32 characters in groups of four, e.g. K7Q2-M9XD-4HTR-...: 8 for the id
(40 bits) and 20 for the secret (100 bits). Only a SHA-256 of the secret is
stored; comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

ID_CHARS, SECRET_CHARS = 8, 20
_CLEAN = re.compile(r"[^A-Z2-7]")
# People copy codes by hand: read look-alike characters as the letters they resemble.
_LOOKALIKE = str.maketrans({"0": "O", "1": "I", "8": "B"})


def _random_base32(chars: int) -> str:
    return base64.b32encode(secrets.token_bytes((chars * 5 + 7) // 8)).decode()[:chars]


def new_receipt() -> tuple[str, str, str]:
    """-> (public id, secret, the code to show once)."""
    public_id, secret = _random_base32(ID_CHARS), _random_base32(SECRET_CHARS)
    raw = public_id + secret
    return public_id, secret, "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def parse_receipt(code: str) -> tuple[str, str] | None:
    cleaned = _CLEAN.sub("", (code or "")[:100].upper().translate(_LOOKALIKE))
    if len(cleaned) != ID_CHARS + SECRET_CHARS:
        return None
    return cleaned[:ID_CHARS], cleaned[ID_CHARS:]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(stored_hash: str | None, secret: str) -> bool:
    # An unknown id is compared against a dummy so both answers take the same time.
    return hmac.compare_digest(stored_hash or "0" * 64, hash_secret(secret)) and stored_hash is not None
