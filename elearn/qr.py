"""QR codes for links people open on their own phone (segno, as inline SVG images)."""

from __future__ import annotations

import segno


def qr_image(text: str, scale: int = 4) -> str:
    """The QR code of `text` as an SVG data URI for an <img> (the page CSP allows
    data: images); medium error correction survives a creased print."""
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=4)
