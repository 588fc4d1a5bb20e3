"""The server's logs (gunicorn as deployed, with gunicorn.conf.py) never record who reported
a concern: by default no line records any client's address, user agent or referrer; an
operator who opts in with ELEARN_ACCESS_LOG_CLIENTS gets them, except on concern pages and
on requests whose referrer is one."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from elearn.concerns.crypto import new_key

from .conftest import FIXTURE_CONTENT, make_app, wipe

ROOT = Path(__file__).resolve().parents[1]
AGENT = "DistinctReporterAgent/7.7"
FORWARDED = "203.0.113.99"
#: The server listens on 127.0.0.2; a client on this machine connects from 127.0.0.1, so
#: "127.0.0.1" anywhere in a log is the client's address, never the server's own.
HOST = "127.0.0.2"
CLIENT_ADDRESS = "127.0.0.1"


@pytest.fixture
def database(postgresql_database, tmp_path):
    """One database is enough here (this is about logs): migrated, wiped afterwards."""
    migrated = make_app(postgresql_database, tmp_path)
    yield postgresql_database
    wipe(migrated)


@dataclass
class Served:
    base: str
    access_log: Path
    server_log: Path  # gunicorn's error log and the app's own log (stdout and stderr)

    def logs(self) -> tuple[str, str]:
        return self.access_log.read_text(), self.server_log.read_text()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, **extra_env: str):
    """The production configuration: gunicorn.conf.py, one worker, logs in tmp_path."""
    port = free_port(HOST)
    served = Served(f"http://{HOST}:{port}", tmp_path / "access.log", tmp_path / "server.log")
    env = {name: value for name, value in os.environ.items() if name != "ELEARN_ACCESS_LOG_CLIENTS"}
    env.update(
        SECRET_KEY="log-test",
        DATABASE_URL=database_url,
        ELEARN_CONTENT_DIR=str(FIXTURE_CONTENT),
        ELEARN_INSTANCE_DIR=str(tmp_path),
        ELEARN_CONCERN_KEYS=new_key(),
        ELEARN_BASE_URL=f"{served.base}/",
        **extra_env,
    )
    with served.server_log.open("w") as server_log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--access-logfile",
                str(served.access_log),
                "--workers",
                "1",
                "--bind",
                f"{HOST}:{port}",
                "elearn:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            ready = False
            for _ in range(150):
                if server.poll() is not None:
                    break
                try:
                    ready = urllib.request.urlopen(f"{served.base}/healthz", timeout=2).status == 200
                    break
                except OSError:
                    time.sleep(0.1)
            assert ready, served.server_log.read_text()[-2000:]
            yield served
            time.sleep(0.3)  # the last access lines reach the file
        finally:
            server.terminate()
            server.wait(10)


def report_in_chromium(browser, base: str) -> tuple[str, list[str]]:
    """A visitor opens the concern page, switches language there, files a report through
    the form, then goes to the sign-in page and switches language there too (a form
    posted with a real Origin); the stylesheet loads with every page. Returns the receipt
    code and the Referer of every request the browser sent."""
    context = browser.new_context(user_agent=AGENT, extra_http_headers={"X-Forwarded-For": FORWARDED})
    try:
        page = context.new_page()
        sent = []
        page.on("requestfinished", lambda request: sent.append(request))
        page.goto(f"{base}/concerns?country=AE")
        page.select_option("#language-select", "es")
        page.click("form.language-switcher button[type=submit]")
        page.wait_for_selector("html[lang=es]")
        page.click("a.button.primary[href$='/concerns/report']")
        page.select_option("#category", "forced_labour")
        page.select_option("#country", "AE")
        page.fill("#description", "The agency keeps our passports.")
        page.click("form.form button[type=submit]")
        code = page.inner_text("#receipt-code").strip()
        page.goto(f"{base}/login")
        page.select_option("#language-select", "fr")
        page.click("form.language-switcher button[type=submit]")
        page.wait_for_selector("html[lang=fr]")
        return code, [request.all_headers().get("referer", "-") for request in sent]
    finally:
        context.close()


def request_lines(access_log: str, pattern: str) -> list[str]:
    return [line for line in access_log.splitlines() if re.search(pattern, line)]


@pytest.mark.browser
def test_by_default_no_log_line_records_any_client(browser, database, tmp_path):
    with gunicorn(database, tmp_path) as served:
        code, referrers = report_in_chromium(browser, served.base)
    access, server = served.logs()
    assert len(code.replace("-", "")) == 28
    # Concern pages send Referrer-Policy: no-referrer, so the browser names them to nobody.
    assert referrers and not [r for r in referrers if "concerns" in r]
    assert f"{served.base}/login" in referrers  # other pages still send same-origin referrers
    # The journey is in the log: concern pages, the language switch made from one, the
    # stylesheet loaded by them, the ordinary sign-in page and the switch made there.
    assert request_lines(access, r'"POST /concerns/report HTTP/1\.1" 200 ')
    assert len(request_lines(access, r'"POST /language HTTP/1\.1" 302 ')) == 2  # from a concern page, from /login
    assert request_lines(access, r'"GET /static/elearn\.css ') and request_lines(access, r'"GET /login ')
    for log in (access, server):
        assert AGENT not in log and "Chrome" not in log
        assert CLIENT_ADDRESS not in log and FORWARDED not in log
    assert "country=AE" not in access  # no query strings
    assert "http://" not in access and "https://" not in access  # no referrers at all
    for line in request_lines(access, "concerns"):  # "concerns" only as the path requested
        assert re.search(r'"(GET|POST) /concerns[^ ]* HTTP/1\.1"', line) and line.count("concerns") == 1


@pytest.mark.browser
def test_opted_in_log_has_clients_but_not_on_concern_pages_nor_naming_them(browser, database, tmp_path):
    with gunicorn(database, tmp_path, ELEARN_ACCESS_LOG_CLIENTS="1") as served:
        report_in_chromium(browser, served.base)
    access, server = served.logs()
    login = request_lines(access, r'"GET /login ')
    assert login and CLIENT_ADDRESS in login[0] and AGENT in login[0]  # the check can fail
    # The browser sent no concern page as referrer (Referrer-Policy: no-referrer), so
    # nothing it requested from a concern page names that page.
    assert not request_lines(access, r"https?://[^ \"]*/concerns")
    for line in request_lines(access, r'"(GET|POST) /concerns'):
        assert CLIENT_ADDRESS not in line and AGENT not in line and "country=AE" not in line
    assert AGENT not in server and CLIENT_ADDRESS not in server


def test_opted_in_log_blanks_concern_paths_and_requests_referred_by_them(database, tmp_path):
    """A client that does send concern pages as referrer (an old browser, a proxy that
    rewrites the policy) and X-Forwarded-For: still nothing identifying on those lines."""
    with gunicorn(database, tmp_path, ELEARN_ACCESS_LOG_CLIENTS="1") as served:
        base = served.base
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.addheaders = [("User-Agent", AGENT), ("X-Forwarded-For", FORWARDED)]
        page = opener.open(f"{base}/concerns/report", timeout=5).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        referred = urllib.request.Request(
            f"{base}/static/elearn.css?v=1", headers={"Referer": f"{base}/concerns/report"}
        )
        opener.open(referred, timeout=5).read()
        body = urllib.parse.urlencode(
            {
                "csrf_token": token,
                "category": "forced_labour",
                "country": "AE",
                "description": "They keep our passports.",
                "anonymous": "y",
                "language": "en",
            }
        ).encode()
        receipt = opener.open(f"{base}/concerns/report", data=body, timeout=5).read().decode()
        assert 'id="receipt-code"' in receipt
        opener.open(f"{base}/concerns?country=AE", timeout=5).read()
        switch = urllib.parse.urlencode({"csrf_token": token, "locale": "es", "next": "/healthz"}).encode()
        opener.open(
            urllib.request.Request(f"{base}/language", data=switch, headers={"Referer": f"{base}/concerns?country=AE"}),
            timeout=5,
        ).read()
        opener.open(f"{base}/login", timeout=5).read()  # an ordinary page, no concern page as referrer
    access, _server = served.logs()
    blanked = (
        request_lines(access, "concerns")
        + request_lines(access, r'"POST /language ')
        + request_lines(access, r"elearn\.css")
    )
    assert len(request_lines(access, "concerns")) == 3 and len(blanked) == 5
    for line in blanked:
        assert CLIENT_ADDRESS not in line and AGENT not in line and FORWARDED not in line
        assert "country=AE" not in line and "v=1" not in line and "http://" not in line
    login = request_lines(access, r'"GET /login ')
    assert login and CLIENT_ADDRESS in login[0] and AGENT in login[0]  # the check can fail
