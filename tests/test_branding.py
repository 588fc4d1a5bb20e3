"""Branding (elearn/branding.py): a logo refused unless it is a PNG or JPEG by its content,
a primary colour refused unless WCAG AA holds with white, and the configured names,
logo, colour and support contact on the pages, on /brand/* and in the emails."""

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import select

from elearn.branding import (
    DEFAULT_PRIMARY_COLOUR,
    MAX_LOGO_BYTES,
    BrandingError,
    check_colour,
    contrast_ratio,
    load_branding,
)
from elearn.command import main
from elearn.extensions import db
from elearn.models import Assignment, utcnow
from elearn.reminders import send_reminders

from .conftest import make_app, wipe
from .helpers import completion_of
from .test_check_config import SAFE, SETTINGS
from .test_tasks import smtp  # noqa: F401 - a fixture: a real SMTP server and its inbox

COMPANY = "Acme Textiles"
SUPPORT = "training-help@acme.example"
COLOUR = "#8a1c4a"


def image_file(path, image_format="PNG", size=(120, 40), mode="RGB"):
    Image.new(mode, size, (138, 28, 74) if mode == "RGB" else 0).save(path, format=image_format)
    return str(path)


# contrast_ratio and the colour rule


def test_contrast_ratio_of_known_pairs():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.005)
    assert contrast_ratio("#767676", "#ffffff") >= 4.5
    assert contrast_ratio("#ffffff", "#0b5cad") == contrast_ratio("#0b5cad", "#ffffff")


def test_colour_must_be_written_rrggbb():
    for value in ("blue", "#fff", "#12345g", "0b5cad", "#0b5cad00", "rgb(0,0,0)"):
        with pytest.raises(BrandingError, match="is not a colour written #rrggbb") as refused:
            check_colour(value)
        assert refused.value.setting == "ELEARN_PRIMARY_COLOUR"
    assert check_colour(" #0B5CAD ") == "#0b5cad"


def test_colour_below_aa_contrast_with_white_is_refused():
    with pytest.raises(BrandingError, match=r"#777777 has a contrast of 4\.48:1 with white; WCAG AA needs"):
        check_colour("#777777")
    with pytest.raises(BrandingError, match="with white"):
        check_colour("#ffcc00")  # a light yellow: white text on it is unreadable too


def test_colour_that_only_just_passes_on_white_is_refused_for_the_header_grey():
    # #767676 reaches 4.54:1 on white but 4.16:1 on the header's #f3f5f8, where its links are
    with pytest.raises(BrandingError, match=r"4\.16:1 with the light grey of the header"):
        check_colour("#767676")
    assert check_colour("#6b6b6b") == "#6b6b6b"


def test_default_colour_is_the_stylesheets_and_passes():
    assert load_branding({}).primary_colour == DEFAULT_PRIMARY_COLOUR == check_colour(DEFAULT_PRIMARY_COLOUR)


# the logo file


def test_png_and_jpeg_logos_are_read_with_their_type_and_size(tmp_path):
    png = load_branding({"ELEARN_LOGO_FILE": image_file(tmp_path / "logo.png")})
    assert (png.logo_type, png.logo_width, png.logo_height) == ("image/png", 120, 40)
    assert png.logo is not None and png.logo.startswith(b"\x89PNG")
    jpeg = load_branding({"ELEARN_LOGO_FILE": image_file(tmp_path / "logo.jpg", "JPEG")})
    assert jpeg.logo_type == "image/jpeg"


def refusal(tmp_path, path) -> str:
    with pytest.raises(BrandingError) as refused:
        load_branding({"ELEARN_LOGO_FILE": str(path)})
    assert refused.value.setting == "ELEARN_LOGO_FILE"
    return str(refused.value)


def test_svg_renamed_png_is_refused(tmp_path):
    svg = tmp_path / "logo.png"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert "is not a PNG or JPEG image (SVG, GIF and other formats are refused)" in refusal(tmp_path, svg)


def test_gif_is_refused_even_named_png(tmp_path):
    gif = image_file(tmp_path / "logo.png", "GIF", mode="L")
    assert "is not a PNG or JPEG image" in refusal(tmp_path, gif)
    webp = image_file(tmp_path / "logo.jpg", "WEBP")
    assert "is not a PNG or JPEG image" in refusal(tmp_path, webp)


def test_logo_over_one_megabyte_is_refused(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(open(image_file(tmp_path / "small.png"), "rb").read() + b"\0" * MAX_LOGO_BYTES)
    assert f"a logo may have at most {MAX_LOGO_BYTES} (1 MB)" in refusal(tmp_path, big)


def test_logo_with_a_huge_pixel_count_is_refused(tmp_path):
    huge = image_file(tmp_path / "huge.png", size=(6000, 6000), mode="1")  # a few KB on disk
    assert (tmp_path / "huge.png").stat().st_size < MAX_LOGO_BYTES
    assert "has too many pixels; a logo may have at most 16777216 (6000 x 6000)" in refusal(tmp_path, huge)


def test_missing_and_damaged_logos_are_refused(tmp_path):
    assert f"{tmp_path / 'nope.png'} is not a file" in refusal(tmp_path, tmp_path / "nope.png")
    assert "is not a file" in refusal(tmp_path, tmp_path)  # a folder
    whole = open(image_file(tmp_path / "whole.png"), "rb").read()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[: len(whole) - 20])  # the end of the image data and IEND lost
    assert "is a damaged image" in refusal(tmp_path, cut)


def test_create_app_refuses_to_start_with_the_reason(sqlite_database, tmp_path):
    with pytest.raises(BrandingError, match="ELEARN_PRIMARY_COLOUR: #777777 has a contrast of 4.48:1"):
        make_app(sqlite_database, tmp_path, ELEARN_PRIMARY_COLOUR="#777777")
    svg = tmp_path / "logo.png"
    svg.write_text("<svg/>")
    with pytest.raises(BrandingError, match="ELEARN_LOGO_FILE: .* is not a PNG or JPEG image"):
        make_app(sqlite_database, tmp_path, ELEARN_LOGO_FILE=str(svg))


def test_check_config_reports_a_bad_logo_and_a_bad_colour_as_dangerous(monkeypatch, tmp_path):
    names = (*SETTINGS, "ELEARN_LOGO_FILE", "ELEARN_PRIMARY_COLOUR")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ELEARN_INSTANCE_DIR", str(tmp_path))
    gif = image_file(tmp_path / "logo.png", "GIF", mode="L")

    def check(**env):
        settings = {**SAFE, **env}
        return CliRunner().invoke(main, ["check-config"], env={name: settings.get(name) for name in names})

    result = check(ELEARN_LOGO_FILE=gif, ELEARN_PRIMARY_COLOUR="#777777")
    assert result.exit_code == 1, result.output
    dangerous = [line for line in result.output.splitlines() if line.startswith("DANGEROUS")]
    assert any("ELEARN_LOGO_FILE:" in line and "is not a PNG or JPEG image" in line for line in dangerous)
    assert any("ELEARN_PRIMARY_COLOUR: #777777 has a contrast of 4.48:1" in line for line in dangerous)
    good = check(ELEARN_LOGO_FILE=image_file(tmp_path / "ok.png"), ELEARN_PRIMARY_COLOUR=COLOUR)
    assert good.exit_code == 0, good.output
    assert "ELEARN_LOGO_FILE" not in good.output and "ELEARN_PRIMARY_COLOUR" not in good.output


# through HTTP and SMTP, with everything configured


@pytest.fixture
def logo_path(tmp_path):
    return image_file(tmp_path / "logo.png")


@pytest.fixture
def app(database_url, tmp_path, smtp, logo_path):  # noqa: F811 - the imported fixture
    """The app, branded (make_user, client and auth use it)."""
    app = make_app(
        database_url,
        tmp_path,
        ELEARN_COMPANY_NAME=COMPANY,
        ELEARN_LOGO_FILE=logo_path,
        ELEARN_PRIMARY_COLOUR=COLOUR,
        ELEARN_SUPPORT_CONTACT=SUPPORT,
        ELEARN_SMTP_HOST="127.0.0.1",
        ELEARN_SMTP_PORT=smtp[0],
    )
    yield app
    wipe(app)


def logo_src(html: str) -> str:
    match = re.search(r'<img class="brand-logo" src="([^"]+)" alt="([^"]*)" width="120" height="40">', html)
    assert match, "no logo in the header"
    assert match.group(2) == COMPANY
    return match.group(1)


def test_header_shows_the_logo_named_for_the_company_and_the_product_name(client, make_user, auth):
    make_user(hr_locale="en")
    auth.login()
    html = client.get("/training").get_data(as_text=True)
    assert logo_src(html).startswith("/brand/logo?v=")
    assert '<span class="brand-name">Human Rights at Work</span>' in html
    assert re.search(r"<title>[^<]* · Human Rights at Work</title>", html)
    assert f'href="/brand/theme.css?v={COLOUR[1:]}"' in html
    assert f'<a href="mailto:{SUPPORT}">{SUPPORT}</a>' in html  # the footer


def test_sign_in_page_shows_the_logo_and_company_name(client):
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    logo_src(html)
    assert re.search(
        rf'<p class="sign-in-brand"><img class="brand-mark" src="/brand/logo\?v=\w+" alt="" width="120" '
        rf'height="40"><bdi data-content>{COMPANY}</bdi></p>',
        html,
    )
    assert "Questions about this training?" in html and SUPPORT in html


def test_certificate_page_shows_the_logo_and_company_name(app, client, make_user, auth):
    uid = make_user(hr_locale="en")
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        db.session.add(completion_of(assignment))
        course_id = assignment.course_id
        db.session.commit()
    auth.login()
    html = client.get(f"/courses/{course_id}/certificate").get_data(as_text=True)
    issuer = html[html.index('<article class="certificate"') :]
    assert re.match(
        rf'<article class="certificate"[^>]*>\s*<p class="cert-issuer"><img class="brand-mark" src="/brand/logo\?v=\w+"'
        rf"[^>]*><bdi data-content>{COMPANY}</bdi></p>",
        issuer,
    )


def test_logo_is_served_with_its_type_cache_headers_and_etag(client, logo_path):
    response = client.get("/brand/logo")
    assert response.status_code == 200
    assert response.data == open(logo_path, "rb").read()
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] in ("public, max-age=86400", "max-age=86400, public")
    etag = response.headers["ETag"]
    again = client.get("/brand/logo", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_theme_stylesheet_carries_the_colour(client):
    response = client.get(f"/brand/theme.css?v={COLOUR[1:]}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert response.get_data(as_text=True) == f":root{{--brand:{COLOUR}}}\n"
    assert "max-age=86400" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    assert client.get("/brand/theme.css", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_stylesheet_takes_the_primary_colour_from_the_theme(client):
    css = client.get("/static/elearn.css").get_data(as_text=True)
    assert f"--accent: var(--brand, {DEFAULT_PRIMARY_COLOUR});" in css


def test_reminder_comes_from_the_product_and_company_with_the_support_contact(app, smtp, make_user):  # noqa: F811
    _, inbox = smtp
    uid = make_user(hr_locale="en", email="learner@example.com")
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        assignment.due_at = utcnow() + timedelta(days=3)
        db.session.commit()
        assert send_reminders() == {"sent": 1}
    (message,) = inbox.messages
    assert message["From"].addresses[0].display_name == f"Human Rights at Work · {COMPANY}"
    assert message["From"].addresses[0].addr_spec == "elearn@localhost"
    assert message.get_content().replace("\r\n", "\n").endswith(f"\n-- \nQuestions about this training? {SUPPORT}\n")


# nothing configured


@pytest.fixture
def plain_client(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    yield app.test_client()
    wipe(app)


def test_without_branding_no_logo_no_theme_and_the_default_product_name(plain_client):
    assert plain_client.get("/brand/logo").status_code == 404
    html = plain_client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<title>Sign in · Human Rights at Work</title>" in html
    assert "<img" not in html and "/brand/theme.css" not in html and "sign-in-brand" not in html
    assert "Questions about this training?" not in html
