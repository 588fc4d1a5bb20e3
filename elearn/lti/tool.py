"""pylti1p3 configured from the database: the documented extension points only.

- DatabaseToolConf (a ToolConfAbstract, the library's documented base for a config kept
  elsewhere than in a dict or file) finds a platform's registration and deployments in
  LtiRegistration; every issuer may have several client ids.
- DatabaseLaunchStorage (a LaunchDataStorage, the documented way to keep launch state
  out of the session) keeps the nonces, state parameters and launches in LtiLaunchData:
  the login initiation and the launch POST may reach different workers, and the launch
  arrives cross-site, without elearn's SameSite=Lax session cookie.
- registration_for gives pylti1p3 the tool key; its kid (Registration.get_kid: the
  public key's RFC 7638 thumbprint) is the one /lti/jwks serves, so platforms find it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import delete, select

from ..extensions import db
from ..models import utcnow
from .keys import ToolKey
from .models import LtiLaunchData, LtiRegistration

#: how long an unused login's nonce and state stay (pylti1p3 asks a day by default)
LAUNCH_DATA_SECONDS = 3600


def registration_for(row: LtiRegistration, key: ToolKey) -> Registration:
    """pylti1p3's registration of a platform, with the tool key (its kid: the key's thumbprint)."""
    registration = Registration()
    registration.set_tool_private_key(key.private_pem).set_tool_public_key(key.public_pem)
    registration.set_issuer(row.issuer).set_client_id(row.client_id)
    registration.set_auth_login_url(row.auth_login_url).set_auth_token_url(row.auth_token_url)
    registration.set_key_set_url(row.key_set_url or None).set_key_set(cast(Any, row.key_set) or None)
    return registration


def find_row(issuer: str | None, client_id: str | None) -> LtiRegistration | None:
    """The registration of this issuer and client id; without a client id (an optional
    parameter of login initiation), the issuer's only registration."""
    if not issuer:
        return None
    query = select(LtiRegistration).where(LtiRegistration.issuer == issuer)
    if client_id:
        return db.session.scalar(query.where(LtiRegistration.client_id == client_id))
    rows = db.session.scalars(query.limit(2)).all()
    return rows[0] if len(rows) == 1 else None


class DatabaseToolConf(ToolConfAbstract):
    def __init__(self, key: ToolKey):
        super().__init__()
        self.key = key

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False  # pylti1p3: "Should return False for all new ToolConf-s"

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration | None:  # type: ignore[override]
        return self.find_registration_by_params(iss, None, *args, **kwargs)  # type: ignore[arg-type]

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any) -> Registration | None:  # type: ignore[override]
        row = find_row(iss, client_id)
        return registration_for(row, self.key) if row is not None else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return None  # never asked: every issuer may have many client ids

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        row = find_row(iss, client_id)
        if row is None or deployment_id not in (row.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)


class DatabaseLaunchStorage(LaunchDataStorage):
    """Values in LtiLaunchData, written in the request's transaction (the view commits).

    Over HTTPS pylti1p3 also binds them to the browser by its own session-id cookie
    (SameSite=None; Secure); over plain HTTP a browser would drop that cookie on the
    cross-site launch POST, so there the keys stand alone (as pylti1p3's own cache
    storage does)."""

    def __init__(self) -> None:
        super().__init__()
        self.secure = False

    def set_request(self, request: Any) -> None:
        super().set_request(request)
        self.secure = bool(request.is_secure())

    def get_session_cookie_name(self) -> str | None:
        return super().get_session_cookie_name() if self.secure else None

    def full_key(self, key: str) -> str:
        session_id = self.get_session_id()
        return f"{session_id}:{key}" if session_id else key

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = db.session.get(LtiLaunchData, self.full_key(key))
        return row.value if row is not None and row.expires_at > utcnow() else None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        seconds = min(exp or LAUNCH_DATA_SECONDS, LAUNCH_DATA_SECONDS)
        db.session.merge(
            LtiLaunchData(key=self.full_key(key), value=value, expires_at=utcnow() + timedelta(seconds=seconds))
        )

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None


def forget_expired_launch_data() -> None:
    """Expired rows go (each login initiation calls this: one indexed DELETE)."""
    db.session.execute(delete(LtiLaunchData).where(LtiLaunchData.expires_at <= utcnow()))
