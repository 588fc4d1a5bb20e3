"""The server's access log (gunicorn, as deployed) never records who reported a concern."""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from elearn.concerns.crypto import new_key

from .conftest import FIXTURE_CONTENT

ROOT = Path(__file__).resolve().parents[1]
AGENT = "DistinctReporterAgent/7.7"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_log_has_no_address_or_agent_on_concern_paths(app, database_url, tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "SECRET_KEY": "log-test", "DATABASE_URL": database_url,
           "ELEARN_CONTENT_DIR": str(FIXTURE_CONTENT), "ELEARN_INSTANCE_DIR": str(tmp_path),
           "ELEARN_CONCERN_KEYS": new_key()}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
         "--access-logfile", str(log), "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "elearn:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.addheaders = [("User-Agent", AGENT), ("X-Forwarded-For", "203.0.113.99")]
        for _ in range(100):
            try:
                page = opener.open(f"{base}/concerns/report", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(server.stderr.read().decode()[-2000:])
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "category": "forced_labour", "country": "AE",
                                       "description": "They keep our passports.", "anonymous": "y",
                                       "language": "en"}).encode()
        receipt = opener.open(f"{base}/concerns/report", data=body, timeout=5).read().decode()
        assert 'id="receipt-code"' in receipt
        opener.open(f"{base}/concerns?country=AE", timeout=5).read()
        opener.open(f"{base}/login", timeout=5).read()  # an ordinary page, logged in full
        time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(10)
    lines = log.read_text().splitlines()
    concern_lines = [l for l in lines if "/concerns" in l]
    assert len(concern_lines) == 3
    for line in concern_lines:
        assert "127.0.0.1" not in line and AGENT not in line and "203.0.113.99" not in line
        assert "country=AE" not in line
    login_line = next(l for l in lines if "/login" in l)
    assert "127.0.0.1" in login_line and AGENT in login_line  # the check can fail
