"""Password hashing: scrypt through Werkzeug (a memory-hard KDF)."""

from werkzeug.security import check_password_hash, generate_password_hash

# A hash of a random string, checked when the user is unknown so that the answer
# takes the same time whether or not the account exists.
_DUMMY = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        check_password_hash(_DUMMY, password)
        return False
    return check_password_hash(stored, password)
