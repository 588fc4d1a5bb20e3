"""Light on slow networks: compressed pages, fingerprinted static files cached for a
year, a favicon; streamed exports left alone."""

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest

from .conftest import Auth

STATIC = Path(__file__).resolve().parents[1] / "elearn" / "static"
MODULE = "/courses/demo_course/modules/risks"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def content_hash(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


@pytest.fixture
def learner(app, make_user):
    make_user(employee_id="u1", hr_locale="ar", country="AE")
    client = app.test_client()
    Auth(client).login("u1")
    return client


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_module_page_is_compressed_and_decodes_to_the_same_html(learner, encoding):
    plain = learner.get(MODULE, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    html = plain.get_data()
    for _ in range(2):  # rendered, then from the page-shell cache
        packed = learner.get(MODULE, headers={"Accept-Encoding": f"{encoding}, deflate"})
        assert packed.headers["Content-Encoding"] == encoding
        body = packed.get_data()
        assert int(packed.headers["Content-Length"]) == len(body) < len(html) / 2
        assert DECODE[encoding](body) == html
        vary = {v.strip().lower() for v in packed.headers["Vary"].split(",")}
        assert {"accept-encoding", "accept-language", "cookie"} <= vary
        assert len(packed.headers.getlist("Vary")) == 1


def test_browsers_get_brotli_before_gzip(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"
    assert b"<form" in brotli.decompress(response.get_data())


def test_pages_another_site_sends_the_browser_to_are_not_compressed(learner):
    """BREACH: a cross-site request could carry chosen text into a page beside the CSRF
    token; its answer is left uncompressed, so its length says nothing."""
    headers = {"Accept-Encoding": "br, gzip"}
    cross = learner.get(MODULE + "?guess=csrf", headers={**headers, "Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 200 and "Content-Encoding" not in cross.headers
    same = learner.get(MODULE, headers={**headers, "Sec-Fetch-Site": "same-origin"})
    assert same.headers["Content-Encoding"] == "br"


def test_streamed_csv_exports_are_neither_compressed_nor_buffered(admin_client):
    for path in ("/admin/reports.csv", "/admin/audit.csv"):
        response = admin_client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200, path
        assert response.is_streamed, path
        assert "Content-Encoding" not in response.headers and "Content-Length" not in response.headers, path
        first = next(response.response)  # the first rows, before the rest is generated
        assert first.startswith(b"employee_id," if "reports" in path else b"at,"), (path, first[:40])
        response.close()


def test_pages_link_static_files_by_content_hash(client):
    html = client.get("/login").get_data(as_text=True)
    assert f'href="/static/elearn.css?v={content_hash("elearn.css")}"' in html
    assert f'href="/static/favicon.svg?v={content_hash("favicon.svg")}"' in html
    assert re.search(r'<link rel="icon" [^>]*type="image/svg\+xml"', html)


def test_versioned_static_file_is_cached_for_a_year(client):
    response = client.get(f"/static/elearn.css?v={content_hash('elearn.css')}")
    assert response.status_code == 200
    cache = response.cache_control
    assert cache.public and cache.immutable and cache.max_age == 31536000 and not cache.no_cache
    assert response.get_data() == (STATIC / "elearn.css").read_bytes()


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?v="])
def test_unversioned_or_stale_static_url_keeps_a_short_cache(client, query):
    response = client.get(f"/static/elearn.css{query}")
    assert response.status_code == 200
    cache = response.cache_control
    assert not cache.immutable and (cache.max_age or 0) < 3600
    assert cache.no_cache or cache.max_age is not None


def test_unchanged_versioned_file_answers_not_modified(client):
    url = f"/static/elearn.css?v={content_hash('elearn.css')}"
    first = client.get(url, headers={"Accept-Encoding": "br"})
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.cache_control.immutable


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_stylesheet_is_compressed_as_it_is_streamed(client, encoding):
    response = client.get(f"/static/elearn.css?v={content_hash('elearn.css')}", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert DECODE[encoding](response.get_data()) == (STATIC / "elearn.css").read_bytes()


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/static/favicon.svg?v={content_hash('favicon.svg')}"
    assert response.cache_control.max_age == 86400 and not response.cache_control.no_store
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data().startswith(b"<svg")
