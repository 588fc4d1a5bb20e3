"""The SAML 2.0 identity provider the sign-in tests talk to: pysaml2's Server acting as an
IdP with a key and self-signed certificate made for the test run. It answers the app's
real AuthnRequest with a real signed Response, and can serve a tiny login page (WSGI) for
the browser test."""

from __future__ import annotations

import base64
import html
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary

from .oidc import free_port

PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def make_key_pair(directory: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and a self-signed certificate for it (PEM files)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class SamlIdp:
    """One IdP. `users` (login -> attributes, each a list of strings) is read at each sign-in."""

    def __init__(self, workdir: Path, host: str = "127.0.0.1"):
        """`host` "localhost" puts the IdP on another site than the app (127.0.0.1), as in real life."""
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://{host}:{self.port}"
        self.entity_id = f"{self.base}/idp/metadata"
        self.key_file, self.cert_file = make_key_pair(workdir, f"saml-idp-{self.port}")
        self.users: dict[str, dict[str, list[str]]] = {}
        self.sp_metadata: list[str] = []
        self.metadata_file = workdir / f"saml-idp-{self.port}.xml"
        self.metadata_file.write_text(self.metadata_xml())
        self._http: WSGIServer | None = None

    def _config(self, lifetime_minutes: int = 15) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": lifetime_minutes},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_BASIC,
                            }
                        },
                    }
                },
            }
        )
        return config

    def metadata_xml(self) -> str:
        text = create_metadata_string(None, config=self._config())
        return text.decode() if isinstance(text, bytes) else text

    def trust_sp(self, sp_metadata_xml: str) -> None:
        """Take the app's SP metadata (as an IdP admin uploads it)."""
        self.sp_metadata = [sp_metadata_xml]

    def respond(
        self,
        authn_request_url: str,
        login: str,
        *,
        sign_assertion: bool = True,
        sign_response: bool = False,
        audience: str | None = None,
        lifetime_minutes: int = 15,
    ) -> tuple[str, dict[str, str]]:
        """Answer the AuthnRequest in `authn_request_url` (the app's redirect to us) as `login`:
        (the ACS URL, the form fields the browser posts there)."""
        server = Server(config=self._config(lifetime_minutes))
        query = parse_qs(urlsplit(authn_request_url).query)
        request = server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT).message
        acs = request.assertion_consumer_service_url
        response = server.create_authn_response(
            identity=self.users[login],
            in_response_to=request.id,
            destination=acs,
            sp_entity_id=audience or request.issuer.text,
            # the same persistent NameID for a login at every sign-in, as a real IdP keeps it
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"id-{login}"),
            userid=login,
            authn={"class_ref": PASSWORD_CONTEXT, "authn_auth": self.entity_id},
            sign_assertion=sign_assertion,
            sign_response=sign_response,
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        fields = {"SAMLResponse": encoded}
        if query.get("RelayState"):
            fields["RelayState"] = query["RelayState"][0]
        return acs, fields

    # --- a login page for the browser test -------------------------------------------

    def serve(self) -> None:
        """Serve the login page on self.port in a thread (stop() ends it)."""

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args) -> None:
                pass

        self._http = make_server("127.0.0.1", self.port, self._wsgi, handler_class=Quiet)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    def _wsgi(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/idp/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.metadata_xml().encode()]
        if path == "/sso/redirect":
            request_url = f"{self.base}{path}?{environ.get('QUERY_STRING', '')}"
            page = (
                '<!doctype html><html lang="en"><title>Test IdP</title>'
                '<form method="post" action="/sso/login">'
                f'<input type="hidden" name="request_url" value="{html.escape(request_url)}">'
                '<label>Login <input name="login"></label><button type="submit">Log in at the IdP</button></form>'
            )
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode())
            acs, fields = self.respond(form["request_url"][0], form["login"][0])
            inputs = "".join(
                f'<input type="hidden" name="{name}" value="{html.escape(value)}">' for name, value in fields.items()
            )
            page = (
                '<!doctype html><html lang="en"><title>Test IdP</title>'
                f'<form method="post" action="{html.escape(acs)}">{inputs}'
                '<button type="submit">Continue to the app</button></form>'
            )
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]


def post_binding_fields(acs: str, fields: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The path on the app and the fields, as a browser posts the IdP's form."""
    return urlsplit(acs).path, fields


__all__ = ["BINDING_HTTP_POST", "SamlIdp", "make_key_pair", "post_binding_fields"]
