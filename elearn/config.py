"""Configuration from the environment. Every variable is listed in README.md."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    """Read once, when the app is created."""

    def __init__(self, instance_path: str):
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY")
        #: earlier keys, still accepted after a rotation (Flask's sessions, SCORM package keys)
        self.SECRET_KEY_FALLBACKS = [k.strip() for k in (env.get("SECRET_KEY_FALLBACKS") or "").split(",") if k.strip()]
        self.DEBUG = _bool("ELEARN_DEBUG")
        self.SQLALCHEMY_DATABASE_URI = _database_url(
            env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'elearn.sqlite'}"
        )
        self.ELEARN_CONTENT_DIR = env.get("ELEARN_CONTENT_DIR") or str(PROJECT_ROOT / "content")
        #: where Debian's fonts-noto-core and fonts-noto-cjk put the Noto fonts of PDF certificates
        self.ELEARN_FONT_DIR = env.get("ELEARN_FONT_DIR") or "/usr/share/fonts"
        self.ELEARN_CONCERN_URL = env.get("ELEARN_CONCERN_URL") or ""
        self.ELEARN_DEFAULT_TIMEZONE = env.get("ELEARN_DEFAULT_TIMEZONE") or "UTC"
        self.ELEARN_DEFAULT_DUE_DAYS = int(env.get("ELEARN_DEFAULT_DUE_DAYS") or 30)
        self.ELEARN_STATE_RECHECK_SECONDS = int(env.get("ELEARN_STATE_RECHECK_SECONDS") or 30)
        #: how long the "My team" link trusts its saved answer (elearn/team/membership.py)
        self.ELEARN_MANAGER_RECHECK_SECONDS = int(env.get("ELEARN_MANAGER_RECHECK_SECONDS") or 600)
        self.ELEARN_PAGE_CACHE_SIZE = int(env.get("ELEARN_PAGE_CACHE_SIZE") or 1024)
        #: how long the item analysis page keeps a result (0: computed on every view)
        self.ELEARN_ITEM_ANALYSIS_SECONDS = int(env.get("ELEARN_ITEM_ANALYSIS_SECONDS") or 300)
        self.SESSION_COOKIE_SECURE = _bool("ELEARN_SECURE_COOKIES", False)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.ELEARN_PROXY_HOPS = int(env.get("ELEARN_PROXY_HOPS") or 0)
        self.RATELIMIT_STORAGE_URI = env.get("ELEARN_RATELIMIT_STORAGE_URI") or "memory://"
        self.ELEARN_LOGIN_LIMIT = env.get("ELEARN_LOGIN_LIMIT") or "10 per minute"
        self.ELEARN_LOGIN_ADDRESS_LIMIT = env.get("ELEARN_LOGIN_ADDRESS_LIMIT") or "100 per minute"
        self.ELEARN_KIOSK_LIMIT = env.get("ELEARN_KIOSK_LIMIT") or "30 per minute"
        self.ELEARN_KIOSK_IDLE_SECONDS = int(env.get("ELEARN_KIOSK_IDLE_SECONDS") or 300)
        #: the course a supplier site's public link opens (a course id in content/)
        self.ELEARN_SUPPLIER_COURSE = env.get("ELEARN_SUPPLIER_COURSE") or "forced_labor"
        #: per address: many workers of one site may share one address (the site's Wi-Fi)
        self.ELEARN_SUPPLIER_PAGE_LIMIT = env.get("ELEARN_SUPPLIER_PAGE_LIMIT") or "300 per minute"
        self.ELEARN_SUPPLIER_QUIZ_LIMIT = env.get("ELEARN_SUPPLIER_QUIZ_LIMIT") or "60 per minute"
        self.ELEARN_INTAKE_LIMIT = env.get("ELEARN_INTAKE_LIMIT") or "5 per hour"
        self.ELEARN_STATUS_LIMIT = env.get("ELEARN_STATUS_LIMIT") or "30 per hour"
        self.ELEARN_CONCERN_KEYS = env.get("ELEARN_CONCERN_KEYS") or ""
        self.ELEARN_XAPI_HOMEPAGE = env.get("ELEARN_XAPI_HOMEPAGE") or "https://hr.example.com"
        self.ELEARN_LRS_ENDPOINT = env.get("ELEARN_LRS_ENDPOINT") or ""
        self.ELEARN_LRS_USERNAME = env.get("ELEARN_LRS_USERNAME") or ""
        self.ELEARN_LRS_PASSWORD = env.get("ELEARN_LRS_PASSWORD") or ""
        self.ELEARN_SMTP_HOST = env.get("ELEARN_SMTP_HOST") or ""
        self.ELEARN_SMTP_PORT = int(env.get("ELEARN_SMTP_PORT") or 25)
        self.ELEARN_SMTP_USER = env.get("ELEARN_SMTP_USER") or ""
        self.ELEARN_SMTP_PASSWORD = env.get("ELEARN_SMTP_PASSWORD") or ""
        self.ELEARN_SMTP_STARTTLS = _bool("ELEARN_SMTP_STARTTLS")
        self.ELEARN_MAIL_FROM = env.get("ELEARN_MAIL_FROM") or "elearn@localhost"
        # branding (elearn/branding.py): header, sign-in page, emails, certificates
        #: empty: a translated default name learners understand
        self.ELEARN_PRODUCT_NAME = env.get("ELEARN_PRODUCT_NAME") or ""
        self.ELEARN_COMPANY_NAME = env.get("ELEARN_COMPANY_NAME") or ""
        #: a PNG or JPEG file of at most 1 MB (no SVG: it can carry script)
        self.ELEARN_LOGO_FILE = env.get("ELEARN_LOGO_FILE") or ""
        #: #rrggbb, 4.5:1 contrast with white and the header's grey (WCAG AA); empty: the stylesheet's blue
        self.ELEARN_PRIMARY_COLOUR = env.get("ELEARN_PRIMARY_COLOUR") or ""
        #: an email address, a URL or a line of text, shown where learners look for help
        self.ELEARN_SUPPORT_CONTACT = env.get("ELEARN_SUPPORT_CONTACT") or ""
        self.ELEARN_BASE_URL = env.get("ELEARN_BASE_URL") or "http://127.0.0.1:5000/"
        #: more Host names to accept besides the base URL's (create_app sets TRUSTED_HOSTS)
        self.ELEARN_TRUSTED_HOSTS = env.get("ELEARN_TRUSTED_HOSTS") or ""
        self.ELEARN_IMPORT_SYNC_ROWS = int(env.get("ELEARN_IMPORT_SYNC_ROWS") or 2000)
        # report exports larger than this many rows are made by a background task (admin/exports.py)
        self.ELEARN_EXPORT_INLINE_ROWS = int(env.get("ELEARN_EXPORT_INLINE_ROWS") or 20000)
        # generated files (background exports, large scheduled reports) are kept this long, then purged
        self.ELEARN_EXPORT_KEEP_HOURS = int(env.get("ELEARN_EXPORT_KEEP_HOURS") or 24)
        # a scheduled report larger than this is emailed as a link to the generated file
        self.ELEARN_REPORT_ATTACH_MAX_BYTES = int(env.get("ELEARN_REPORT_ATTACH_MAX_BYTES") or 10 * 1024 * 1024)
        self.ELEARN_REMIND_DAYS_BEFORE = int(env.get("ELEARN_REMIND_DAYS_BEFORE") or 7)
        self.ELEARN_CONCERN_RETENTION_DAYS = int(env.get("ELEARN_CONCERN_RETENTION_DAYS") or 365)
        # the grievance channel (README "Concerns"): EU Directive 2019/1937 art. 9 deadlines
        self.ELEARN_CONCERN_ACK_DAYS = int(env.get("ELEARN_CONCERN_ACK_DAYS") or 7)
        self.ELEARN_CONCERN_FEEDBACK_MONTHS = int(env.get("ELEARN_CONCERN_FEEDBACK_MONTHS") or 3)
        self.ELEARN_CONCERN_REMIND_DAYS_BEFORE = int(env.get("ELEARN_CONCERN_REMIND_DAYS_BEFORE") or 2)
        self.ELEARN_REPORTER_ACCESS_DAYS = int(env.get("ELEARN_REPORTER_ACCESS_DAYS") or 90)
        self.ELEARN_ATTACHMENT_MAX_BYTES = int(env.get("ELEARN_ATTACHMENT_MAX_BYTES") or 5 * 1024 * 1024)
        self.ELEARN_ATTACHMENT_MAX_FILES = int(env.get("ELEARN_ATTACHMENT_MAX_FILES") or 3)
        self.ELEARN_ATTACHMENT_MAX_PIXELS = int(env.get("ELEARN_ATTACHMENT_MAX_PIXELS") or 40_000_000)
        self.SENTRY_DSN = env.get("SENTRY_DSN") or ""
        # single sign-on through OpenID Connect (elearn/auth/oidc.py): off unless issuer and client id are set
        self.ELEARN_OIDC_ISSUER = env.get("ELEARN_OIDC_ISSUER") or ""
        self.ELEARN_OIDC_CLIENT_ID = env.get("ELEARN_OIDC_CLIENT_ID") or ""
        self.ELEARN_OIDC_CLIENT_SECRET = env.get("ELEARN_OIDC_CLIENT_SECRET") or ""
        self.ELEARN_OIDC_SCOPES = env.get("ELEARN_OIDC_SCOPES") or "openid profile email"
        self.ELEARN_OIDC_PROVIDER_NAME = env.get("ELEARN_OIDC_PROVIDER_NAME") or ""
        #: the ID token claim that holds the HR employee ID, which links a first sign-in
        self.ELEARN_OIDC_EMPLOYEE_ID_CLAIM = env.get("ELEARN_OIDC_EMPLOYEE_ID_CLAIM") or "employee_id"
        self.ELEARN_OIDC_LINK_BY_VERIFIED_EMAIL = _bool("ELEARN_OIDC_LINK_BY_VERIFIED_EMAIL")
        #: create unknown people at their first sign-in (just in time)
        self.ELEARN_OIDC_JIT = _bool("ELEARN_OIDC_JIT")
        #: empty: no role comes from the provider's groups
        self.ELEARN_OIDC_GROUPS_CLAIM = env.get("ELEARN_OIDC_GROUPS_CLAIM") or ""
        # single sign-on through SAML 2.0 (elearn/auth/saml.py): off unless the IdP's metadata is given
        self.ELEARN_SAML_IDP_METADATA_URL = env.get("ELEARN_SAML_IDP_METADATA_URL") or ""
        self.ELEARN_SAML_IDP_METADATA_FILE = env.get("ELEARN_SAML_IDP_METADATA_FILE") or ""
        #: empty: the base URL + /saml/metadata
        self.ELEARN_SAML_SP_ENTITY_ID = env.get("ELEARN_SAML_SP_ENTITY_ID") or ""
        #: optional: a key and certificate (PEM files) to sign the AuthnRequests with
        self.ELEARN_SAML_SP_KEY_FILE = env.get("ELEARN_SAML_SP_KEY_FILE") or ""
        self.ELEARN_SAML_SP_CERT_FILE = env.get("ELEARN_SAML_SP_CERT_FILE") or ""
        self.ELEARN_SAML_PROVIDER_NAME = env.get("ELEARN_SAML_PROVIDER_NAME") or ""
        #: the assertion's attribute names (Entra ID and Okta use URIs or names an admin chose)
        self.ELEARN_SAML_EMPLOYEE_ID_ATTRIBUTE = env.get("ELEARN_SAML_EMPLOYEE_ID_ATTRIBUTE") or "employeeNumber"
        self.ELEARN_SAML_EMAIL_ATTRIBUTE = env.get("ELEARN_SAML_EMAIL_ATTRIBUTE") or "email"
        self.ELEARN_SAML_NAME_ATTRIBUTE = env.get("ELEARN_SAML_NAME_ATTRIBUTE") or "displayName"
        self.ELEARN_SAML_DEPARTMENT_ATTRIBUTE = env.get("ELEARN_SAML_DEPARTMENT_ATTRIBUTE") or "department"
        self.ELEARN_SAML_COUNTRY_ATTRIBUTE = env.get("ELEARN_SAML_COUNTRY_ATTRIBUTE") or "country"
        self.ELEARN_SAML_LOCALE_ATTRIBUTE = env.get("ELEARN_SAML_LOCALE_ATTRIBUTE") or "locale"
        #: empty: no role comes from the IdP's groups
        self.ELEARN_SAML_GROUPS_ATTRIBUTE = env.get("ELEARN_SAML_GROUPS_ATTRIBUTE") or ""
        self.ELEARN_SAML_LINK_BY_EMAIL = _bool("ELEARN_SAML_LINK_BY_EMAIL")
        self.ELEARN_SAML_JIT = _bool("ELEARN_SAML_JIT")
        self.ELEARN_SAML_CLOCK_SKEW_SECONDS = int(env.get("ELEARN_SAML_CLOCK_SKEW_SECONDS") or 60)
        #: "all": anyone may sign in with a password; "without_sso": not people with a provider
        #: identity (admins still may, with a second factor: the break-glass path)
        self.ELEARN_LOCAL_PASSWORDS = (env.get("ELEARN_LOCAL_PASSWORDS") or "all").strip().lower()
        #: "admins": password sign-ins of admins and case handlers need a TOTP code; "off"
        self.ELEARN_REQUIRE_SECOND_FACTOR = (env.get("ELEARN_REQUIRE_SECOND_FACTOR") or "admins").strip().lower()
        # LTI 1.3 tool (elearn/lti/): its RSA private key (PEM); in debug/testing generated
        # once into the instance folder; elsewhere, without it, the tool is off
        self.ELEARN_LTI_PRIVATE_KEY = env.get("ELEARN_LTI_PRIVATE_KEY") or ""


def _database_url(url: str) -> str:
    # Heroku-style URLs say postgres://; SQLAlchemy wants the psycopg 3 driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


#: Settings that never come from the environment.
DEFAULTS = {
    # No pre-ping: it costs a round trip on every request (~100 us, see `make bench`).
    # A connection lost to a database restart fails one request, and SQLAlchemy then
    # replaces the whole pool; recycling bounds a connection's age behind firewalls.
    # Database errors do not quote the statement's parameters (names, emails, typed
    # logins) into their message, so logs and error reports cannot carry them.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800, "hide_parameters": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Do not rewrite the session cookie on every response: no needless session writes.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    # Its HTTPS check wants a same-origin Referer, which no-referrer concern pages never
    # send: elearn.same_origin checks Origin and Sec-Fetch-Site instead.
    "WTF_CSRF_SSL_STRICT": False,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
}
