"""The OpenID Provider the sign-in tests talk to: npm's oidc-provider (tests/peers/oidc_provider.mjs),
a real server on 127.0.0.1, and helpers that go through its login form over HTTP."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "peers" / "oidc_provider.mjs"
CLIENT_ID = "elearn-test"
CLIENT_SECRET = "a-client-secret-for-tests-only"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OidcPeer:
    """One provider process. `accounts` (subject -> claims) is read at each sign-in."""

    def __init__(self, workdir: Path, token_clock_offset: int = 0):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.accounts_file = workdir / f"oidc-accounts-{self.port}.json"
        self.set_accounts({})
        env = {
            **os.environ,
            "OIDC_PEER_CLIENT_ID": CLIENT_ID,
            "OIDC_PEER_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PEER_ACCOUNTS_FILE": str(self.accounts_file),
            "OIDC_PEER_TOKEN_CLOCK_OFFSET": str(token_clock_offset),
        }
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        # it prints one line once it listens (or exits): no polling, no waiting on a clock
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("oidc peer on"):
            self.stop()
            raise RuntimeError(f"the OpenID Provider did not start (npm ci installs oidc-provider): {line!r}")

    def set_accounts(self, accounts: dict[str, dict]) -> None:
        self.accounts_file.write_text(json.dumps(accounts))

    def app_config(self, **extra) -> dict:
        return {
            "ELEARN_OIDC_ISSUER": self.issuer,
            "ELEARN_OIDC_CLIENT_ID": CLIENT_ID,
            "ELEARN_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "ELEARN_OIDC_PROVIDER_NAME": "Contoso ID",
            **extra,
        }

    def authorize(self, authorize_url: str, login: str, redirect_uri: str) -> str:
        """What a browser does at the provider: open the authorization URL, sign in with
        its login form, continue on its consent page, follow its redirects. Returns the URL it sends back to the app."""
        http = requests.Session()
        page = http.get(authorize_url, timeout=10)
        page.raise_for_status()
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        assert action, page.text[:500]
        response = http.post(
            urljoin(page.url, action.group(1)),
            data={"prompt": "login", "login": login, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        for _hop in range(10):
            if response.status_code == 200 and 'value="consent"' in response.text:
                action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
                assert action
                response = http.post(
                    urljoin(response.url, action.group(1)),
                    data={"prompt": "consent"},
                    allow_redirects=False,
                    timeout=10,
                )
                continue
            location = urljoin(response.url, response.headers.get("Location", ""))
            if location.startswith(redirect_uri):
                return location
            assert response.is_redirect, (response.status_code, response.text[:500])
            response = http.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("the provider never sent the browser back")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        if self.process.stdout:
            self.process.stdout.close()


def local(url: str) -> str:
    """The path and query of an absolute URL (for the Flask test client)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="session")
def oidc_peer(tmp_path_factory):
    peer = OidcPeer(tmp_path_factory.mktemp("oidc"))
    yield peer
    peer.stop()
