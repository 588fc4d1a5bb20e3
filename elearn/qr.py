"""QR codes for links people open on their own phone (segno): inline SVG images on pages,
PNG in PDF certificates."""

from __future__ import annotations

import segno


def qr_code(text: str) -> segno.QRCode:
    """The QR code of `text`; medium error correction survives a creased print."""
    return segno.make(text, error="m")


def qr_image(text: str, scale: int = 4) -> str:
    """The QR code of `text` as an SVG data URI for an <img> (the page CSP allows
    data: images)."""
    return qr_code(text).svg_data_uri(scale=scale, border=4)
