"""Pictures sent to the grievance channel (and those inside office files): decoded with
only the decoder sniffed and saved again from their pixels, so no EXIF (GPS, camera,
times), XMP, ICC profile, comment, text chunk or thumbnail stays."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps

from .attachment_refusal import Refused

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_QUALITY = 85


@dataclass
class PixelBudget:
    """The pixels the pictures of one file (an office document) may still have, together."""

    pixels: int


@functools.cache
def register_heif_opener() -> None:
    """Lets Pillow open HEIC/HEIF (what phones take pictures in); once per process."""
    pillow_heif.register_heif_opener()


def reencode_image(
    data: bytes, pillow_format: str, output_format: str, max_pixels: int, budget: PixelBudget | None = None
) -> bytes:
    """The picture's first frame, upright, re-encoded from its pixels alone. `budget`: the
    pixels an office file's pictures may still have, all together (a document of hundreds
    of large pictures would keep a worker busy for minutes)."""
    if pillow_format == "HEIF":
        register_heif_opener()
    try:
        # formats=: only the decoder for what was sniffed, whatever else the bytes claim to be
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            width, height = image.size  # from the header: no pixel is decoded yet
            if width * height > max_pixels:
                raise Refused("too_many_pixels")
            if budget is not None:
                if width * height > budget.pixels:
                    raise Refused("too_many_pixels")
                budget.pixels -= width * height
            image.load()
            try:
                upright = ImageOps.exif_transpose(image)
            except Exception:  # a damaged EXIF block: the picture itself is fine, keep it as stored
                upright = image.copy()
        upright = _output_mode(upright, output_format)
        # Pillow's encoders fall back to info for the ICC profile, comment and transparency
        upright.info = {}
        out = io.BytesIO()
        if output_format == "JPEG":
            upright.save(out, format="JPEG", quality=JPEG_QUALITY)
        else:
            upright.save(out, format="PNG")
        return out.getvalue()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused("too_many_pixels") from exc
    except Exception as exc:  # any failure of a decoder on untrusted bytes: a damaged file
        raise Refused("unreadable") from exc


def _output_mode(image: Image.Image, output_format: str) -> Image.Image:
    if output_format == "JPEG":
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    has_alpha = "transparency" in image.info or image.mode in ("LA", "PA", "RGBA", "La", "RGBa")
    if has_alpha:
        return image if image.mode in ("LA", "RGBA") else image.convert("RGBA")
    return image if image.mode in ("1", "L", "RGB", "I;16") else image.convert("RGB")
