"""The LTI 1.3 platform the LTI tests launch from: PyPI's lti1p3platform (its OIDC
login initiation, the id token it signs with the platform's key, its access-token
endpoint, its Assignment and Grade Services and its deep-linking response check),
served over real HTTP on 127.0.0.1 by werkzeug in a thread.

elearn's test client plays the browser between them: it follows the tool's redirect to
the platform's authorization endpoint (real HTTP here) and posts the form the platform
answers with back to the tool."""

from __future__ import annotations

import html
import json
import re
import threading
import typing as t
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.exceptions import LtiException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService
from werkzeug.serving import make_server
from werkzeug.wrappers import Request as HttpRequest
from werkzeug.wrappers import Response as HttpResponse

from .oidc import free_port

CLIENT_ID = "elearn-tool"
DEPLOYMENT_ID = "deploy-1"
TOOL = "http://127.0.0.1:5000"  # the tests' ELEARN_BASE_URL (a live server's: LtiPlatform(tool=...))
LIS_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/lis"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key_pem() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Launch:
    """What the platform puts in one launch (the test chooses)."""

    sub: str
    custom: dict[str, str] = field(default_factory=dict)
    extra: dict[str, t.Any] = field(default_factory=dict)
    document_target: str | None = "iframe"
    deep_linking: bool = False
    name: str | None = "Platform Learner"
    #: the id token's lifetime in seconds (negative: expired when it is signed)
    expires_in: int = 300


class PeerRequest(Request):
    def build_metadata(self, request: HttpRequest) -> TRequest:
        return {
            "method": request.method,
            "form_data": request.form.to_dict(),
            "get_data": request.args.to_dict(),
            "headers": request.headers,
            "content_type": request.content_type,
            "path": request.path,
            "json": request.get_json(force=True, silent=True) if "json" in (request.content_type or "") else None,
        }


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.peer: LtiPlatform = kwargs["peer"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        peer = self.peer
        registration = (
            Registration()
            .set_iss(peer.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(f"{peer.tool}/lti/login")
            .set_launch_url(f"{peer.tool}/lti/launch")
            .set_deeplink_launch_url(f"{peer.tool}/lti/launch")
            .set_platform_private_key(peer.private_pem)
            .set_platform_public_key(peer.public_pem)
        )
        if peer.tool_key_set is not None:
            registration.set_tool_key_set(peer.tool_key_set)  # type: ignore[arg-type]
        return registration


class PeerLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class PeerLaunch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, request: PeerRequest, conf: PlatformConf, launch: Launch):
        super().__init__(request, conf)
        self.launch = launch

    def get_preflight_response(self) -> dict[str, t.Any]:
        return self._request.get_data  # type: ignore[union-attr]

    def prepare_launch(self, preflight_response: dict[str, t.Any]) -> None:
        launch, peer = self.launch, self._platform_config.peer  # type: ignore[attr-defined]
        self.set_id_token_expiration(launch.expires_in)
        roles = [INSTRUCTOR_ROLE] if launch.deep_linking else [LEARNER_ROLE]
        self.set_user_data(launch.sub, roles, full_name=launch.name)
        self.set_resource_link_claim(f"link-{launch.custom.get('course', 'none')}")
        self.set_launch_context_claim("course-section-1")
        if launch.document_target:
            self.set_launch_presentation_claim(document_target=launch.document_target)
        if launch.custom:
            self.set_custom_parameters_claim(launch.custom)
        if launch.extra:
            self.set_extra_claims(launch.extra)
        if launch.deep_linking:
            self.set_dl(f"{peer.url}/deep_link_return", title="Pick", extra_data={"opaque": "kept"})
        else:
            self.set_ags(f"{peer.url}/lineitems", f"{peer.url}/lineitems/1", allow_creating_lineitems=False)

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> str:
        """The platform's self-submitting form (a browser posts it; the test client reads it)."""
        return (
            f'<form method="POST" action="{html.escape(launch_data["launch_url"])}">'
            f'<input type="hidden" name="id_token" value="{launch_data["id_token"]}">'
            f'<input type="hidden" name="state" value="{html.escape(launch_data["state"])}"></form>'
            "<script>document.forms[0].submit()</script>"
        )


class PeerGrades(AssignmentsGradesService):
    def __init__(self, request: PeerRequest, conf: PlatformConf, peer: LtiPlatform):
        super().__init__(request, conf, f"{peer.url}/lineitems", f"{peer.url}/lineitems/1", False)
        self.peer = peer

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        self.peer.scores.append((line_item_id, score))
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        raise NotImplementedError

    def find_lineitem(self, line_item_id: str) -> t.Any:
        raise NotImplementedError

    def create_lineitem(self, creation_data: t.Any) -> t.Any:
        raise NotImplementedError

    def update_lineitem(self, update_data: t.Any) -> t.Any:
        raise NotImplementedError

    def delete_lineitem(self, line_item_id: str) -> None:
        raise NotImplementedError

    def get_results(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        raise NotImplementedError


class LtiPlatform:
    """One platform on a free port; `scores` and `deep_links` are what it received."""

    def __init__(self, tool: str = TOOL) -> None:
        self.tool = tool
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/platform"
        self.private_pem, self.public_pem = new_key_pem()
        self.tool_key_set: dict | None = None
        self.pending: dict[str, Launch] = {}
        self.scores: list[tuple[str, dict]] = []
        self.deep_links: list[list[dict]] = []
        self.refused: list[str] = []
        #: how many score posts to answer 503 (an outage) before accepting
        self.fail_scores = 0
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()

    def conf(self) -> PlatformConf:
        return PlatformConf(peer=self)

    def registration_values(self, **extra: t.Any) -> dict[str, t.Any]:
        """What the platform's admin page shows for the tool: elearn's registration of it."""
        return {
            "label": "Test Moodle",
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "deployment_ids": [DEPLOYMENT_ID],
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks",
            **extra,
        }

    def login_initiation(self, launch: Launch) -> str:
        """The platform's third-party login initiation URL for a launch (what the LMS page
        sends the browser to)."""
        hint = f"hint-{len(self.pending)}"
        self.pending[hint] = launch
        login = PeerLogin(None, self.conf())
        login.set_lti_message_hint(hint=hint)
        return login.initiate_login(launch.sub)

    # --- the platform's HTTP endpoints --------------------------------------------------

    def wsgi(self, environ, start_response):
        request = HttpRequest(environ)
        try:
            response = self.route(request)
        except LtiException as error:
            self.refused.append(f"{request.path}: {error}")
            response = HttpResponse(str(error), status=400)
        return response(environ, start_response)

    def route(self, request: HttpRequest) -> HttpResponse:
        conf = self.conf()
        conf.get_registration()
        if request.path == "/jwks":
            return HttpResponse(json.dumps(conf.get_jwks()), mimetype="application/json")
        if request.path == "/auth":
            launch = self.pending[request.args["lti_message_hint"]]
            message = PeerLaunch(PeerRequest(request), conf, launch)
            return HttpResponse(message.lti_launch(), mimetype="text/html")
        if request.path == "/token":
            token = conf.get_access_token(request.form.to_dict())
            return HttpResponse(json.dumps(token), mimetype="application/json")
        if request.path == "/lineitems/1/scores" and self.fail_scores:
            self.fail_scores -= 1
            return HttpResponse("down for maintenance", status=503)
        if request.path == "/lineitems/1/scores":
            service = PeerGrades(PeerRequest(request), conf, self)
            result = service.handle_resp(service.handle_update_score, line_item_id="1")
            return HttpResponse(json.dumps({"message": result.message}), status=result.code)
        if request.path == "/course":  # an LMS course page showing the tool in a frame
            launch = Launch(sub=request.args["sub"], custom={"course": request.args["course"]})
            frame = html.escape(self.login_initiation(launch))
            return HttpResponse(
                f'<!doctype html><title>LMS</title><iframe src="{frame}"></iframe>', mimetype="text/html"
            )
        if request.path == "/frame":  # any page of this origin framing a URL of the tool
            page = f'<!doctype html><title>LMS</title><iframe src="{html.escape(request.args["src"])}"></iframe>'
            return HttpResponse(page, mimetype="text/html")
        if request.path == "/deep_link_return":
            self.deep_links.append(conf.validate_deeplinking_resp(request.form.to_dict()))
            return HttpResponse("linked", mimetype="text/plain")
        return HttpResponse("not found", status=404)


_FORM = re.compile(
    r'<form method="POST" action="([^"]+)"><input type="hidden" name="id_token" value="([^"]+)">'
    r'<input type="hidden" name="state" value="([^"]+)">'
)


def local(url: str) -> str:
    """The path and query of a URL on the tool (the test client's request)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def launch_form(client, peer: LtiPlatform, launch: Launch) -> dict[str, str]:
    """Login initiation at the tool, then the platform's authorization endpoint (HTTP):
    the id token and state the platform's page would post to the tool."""
    start = client.get(local(peer.login_initiation(launch)))
    assert start.status_code == 302, start.get_data(as_text=True)[:500]
    answer = requests.get(start.headers["Location"], timeout=10)
    assert answer.status_code == 200, answer.text[:500]
    match = _FORM.search(answer.text)
    assert match, answer.text[:500]
    assert html.unescape(match.group(1)) == f"{peer.tool}/lti/launch"
    return {"id_token": match.group(2), "state": html.unescape(match.group(3))}
