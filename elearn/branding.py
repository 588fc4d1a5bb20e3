"""Branding: the product and company names, the logo, the primary colour and the support
contact, from configuration (ELEARN_PRODUCT_NAME, ELEARN_COMPANY_NAME, ELEARN_LOGO_FILE,
ELEARN_PRIMARY_COLOUR, ELEARN_SUPPORT_CONTACT).

Loaded and checked once, when the app is created (a bad logo or colour stops it, with
the reason); `elearn check-config` runs the same checks. Pages read it with
current_branding(). The logo and the colour are served by /brand/logo and
/brand/theme.css: the strict Content-Security-Policy allows no inline style."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from flask import Blueprint, Flask, Response, abort, current_app, request
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

EXTENSION = "elearn_branding"
#: the stylesheet's --accent (elearn/static/elearn.css): buttons, links, the header's menu
DEFAULT_PRIMARY_COLOUR = "#0b5cad"
#: The light backgrounds the primary colour is shown on as text (links, outlined buttons) or
#: under white text. The stylesheet's --soft grey is the darkest of them: the header's links
#: sit on it, so a colour that only just passes on white fails there (axe would report it).
BACKGROUNDS = {"white": "#ffffff", "the light grey of the header (#f3f5f8)": "#f3f5f8"}
#: WCAG 2 AA for normal text (1.4.3)
MINIMUM_CONTRAST = 4.5
MAX_LOGO_BYTES = 1024 * 1024
#: a logo needs far fewer; more is likely a decompression bomb
MAX_LOGO_PIXELS = 4096 * 4096
#: Pillow's format name -> the Content-Type the logo is served with
#: (MPO: a JPEG with a second picture, as some cameras write them)
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg"}
CACHE_SECONDS = 24 * 3600
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: an email address, loosely: a support contact is written by an admin, not a visitor
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class BrandingError(ValueError):
    """A branding setting the app cannot use: `setting` names it, the message says why."""

    def __init__(self, setting: str, problem: str):
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem


@dataclass(frozen=True)
class Branding:
    #: ELEARN_PRODUCT_NAME as configured; empty: the translated default (see product_name)
    configured_product_name: str = ""
    #: may be empty
    company_name: str = ""
    #: the PNG or JPEG file's bytes, checked by read_logo; None: no logo
    logo: bytes | None = None
    #: "image/png" or "image/jpeg" (None without a logo)
    logo_type: str | None = None
    #: in pixels (0 without a logo): pages give them to <img> so nothing moves as it loads
    logo_width: int = 0
    logo_height: int = 0
    #: "#rrggbb", lower case
    primary_colour: str = DEFAULT_PRIMARY_COLOUR
    #: an email address, a URL or text; may be empty
    support_contact: str = ""

    @property
    def product_name(self) -> str:
        """The configured name, else the default in the current language."""
        return self.configured_product_name or _("Human Rights at Work")

    @property
    def logo_alt(self) -> str:
        """The logo's text alternative: whose logo it is."""
        return self.company_name or self.product_name

    @cached_property  # every page's header links the logo: hashed once, not per page
    def logo_version(self) -> str:
        """Changes when the logo does: its URL carries it, so a new logo shows at once."""
        return hashlib.sha256(self.logo).hexdigest()[:16] if self.logo else ""

    @property
    def theme_css(self) -> str:
        return f":root{{--brand:{self.primary_colour}}}\n"

    @property
    def theme_version(self) -> str:
        return self.primary_colour.removeprefix("#")

    @property
    def themed(self) -> bool:
        """Whether pages need /brand/theme.css (the stylesheet already has the default)."""
        return self.primary_colour != DEFAULT_PRIMARY_COLOUR

    @property
    def support_href(self) -> str | None:
        """A link for the support contact when it is an address or a web page; None for text."""
        contact = self.support_contact
        if contact.startswith(("https://", "http://")):
            return contact
        if _EMAIL.fullmatch(contact):
            return f"mailto:{contact}"
        return None


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of "#rrggbb" (0 black .. 1 white)."""
    channels = []
    for start in (1, 3, 5):
        value = int(colour[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two "#rrggbb" colours, 1 to 21; the order does not matter."""
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_colour(value: str, setting: str = "ELEARN_PRIMARY_COLOUR") -> str:
    """The colour, lower case, if it is "#rrggbb" and readable both ways on the page's light
    backgrounds (text in it on them, white text on it); else BrandingError."""
    colour = value.strip()
    if not _COLOUR.fullmatch(colour):
        raise BrandingError(setting, f"{value!r} is not a colour written #rrggbb (for example #0b5cad)")
    colour = colour.lower()
    for name, background in BACKGROUNDS.items():
        ratio = contrast_ratio(colour, background)
        if ratio < MINIMUM_CONTRAST:
            raise BrandingError(
                setting,
                f"{colour} has a contrast of {ratio:.2f}:1 with {name}; WCAG AA needs at least "
                f"{MINIMUM_CONTRAST}:1 (for text in this colour and for white text on it): choose a darker colour",
            )
    return colour


class Logo(NamedTuple):
    data: bytes
    content_type: str
    width: int
    height: int


def read_logo(path: str, setting: str = "ELEARN_LOGO_FILE") -> Logo:
    """The logo file's bytes, Content-Type and size if it is a PNG or JPEG image by its content
    (not its name: an SVG can carry script), at most MAX_LOGO_BYTES and MAX_LOGO_PIXELS;
    else BrandingError."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise BrandingError(setting, f"{path} is not a file")
    try:
        size = file.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise BrandingError(setting, f"{path} has {size} bytes; a logo may have at most {MAX_LOGO_BYTES} (1 MB)")
        data = file.read_bytes()
    except OSError as exc:
        raise BrandingError(setting, f"{path} cannot be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_LOGO_BYTES:  # grew since stat()
        raise BrandingError(setting, f"{path} is larger than {MAX_LOGO_BYTES} bytes (1 MB)")
    not_image = BrandingError(setting, f"{path} is not a PNG or JPEG image (SVG, GIF and other formats are refused)")
    too_large = f"{path} has too many pixels; a logo may have at most {MAX_LOGO_PIXELS}"
    try:
        # formats=: Pillow tries no other decoder, whatever the file's name says
        image = Image.open(io.BytesIO(data), formats=["PNG", "JPEG"])
    except UnidentifiedImageError as exc:
        raise not_image from exc
    except Image.DecompressionBombError as exc:
        raise BrandingError(setting, too_large) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise BrandingError(setting, f"{path} is a damaged image ({exc})") from exc
    with image:
        if image.format not in LOGO_TYPES:
            raise not_image
        width, height = image.size
        if width * height > MAX_LOGO_PIXELS:
            raise BrandingError(setting, f"{too_large} ({width} x {height})")
        try:
            image.verify()  # the file is whole: not truncated or corrupt
        except (OSError, SyntaxError, ValueError) as exc:
            raise BrandingError(setting, f"{path} is a damaged image ({exc})") from exc
        return Logo(data, LOGO_TYPES[image.format], width, height)


def _logo_of(config: Mapping[str, Any]) -> Logo | None:
    logo_file = (config.get("ELEARN_LOGO_FILE") or "").strip()
    return read_logo(logo_file) if logo_file else None


def _colour_of(config: Mapping[str, Any]) -> str:
    colour = (config.get("ELEARN_PRIMARY_COLOUR") or "").strip()
    return check_colour(colour) if colour else DEFAULT_PRIMARY_COLOUR


def branding_problems(config: Mapping[str, Any]) -> list[BrandingError]:
    """Every reason load_branding(config) would refuse, not just the first (check-config)."""
    problems = []
    for part in (_logo_of, _colour_of):
        try:
            part(config)
        except BrandingError as problem:
            problems.append(problem)
    return problems


def load_branding(config: Mapping[str, Any]) -> Branding:
    """The branding the settings in `config` (app.config, or vars() of a Config) describe;
    BrandingError for a logo or colour that cannot be used."""
    logo = _logo_of(config)
    return Branding(
        configured_product_name=(config.get("ELEARN_PRODUCT_NAME") or "").strip(),
        company_name=(config.get("ELEARN_COMPANY_NAME") or "").strip(),
        logo=logo.data if logo else None,
        logo_type=logo.content_type if logo else None,
        logo_width=logo.width if logo else 0,
        logo_height=logo.height if logo else 0,
        primary_colour=_colour_of(config),
        support_contact=(config.get("ELEARN_SUPPORT_CONTACT") or "").strip(),
    )


def current_branding() -> Branding:
    """The current app's branding (loaded once, by create_app)."""
    return current_app.extensions[EXTENSION]


bp = Blueprint("brand", __name__, url_prefix="/brand")


def _cached(body: bytes, content_type: str, etag: str) -> Response:
    response = Response(body, content_type=content_type)
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.make_conditional(request)  # 304 when the browser has this ETag
    return response


@bp.get("/logo")
def logo() -> Response:
    branding = current_branding()
    if branding.logo is None or branding.logo_type is None:
        abort(404)
    return _cached(branding.logo, branding.logo_type, branding.logo_version)


@bp.get("/theme.css")
def theme() -> Response:
    branding = current_branding()
    return _cached(branding.theme_css.encode(), "text/css; charset=utf-8", branding.theme_version)


def init_app(app: Flask) -> None:
    """Loads the branding (a BrandingError stops the app), serves its files and gives
    every template `branding`."""
    app.extensions[EXTENSION] = load_branding(app.config)
    app.register_blueprint(bp)

    @app.context_processor
    def branding_globals() -> dict[str, Any]:
        return {"branding": current_branding()}
