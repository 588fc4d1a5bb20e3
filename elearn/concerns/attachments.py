"""Whether a file sent to the grievance channel may be stored, and the cleaned bytes to store.

The type is decided by the bytes alone, never by a file name (clean() gets none: a phone's
file name carries the time a picture was taken). What is accepted:

- JPEG, PNG and HEIC/HEIF pictures, decoded and re-encoded from their pixels only: EXIF
  (GPS, camera, times), XMP, ICC profiles, comments, text chunks and thumbnails are gone.
  JPEG and HEIC come out as JPEG, PNG as PNG; animations keep their first frame.
- Word, Excel and PowerPoint files (docx, xlsx, pptx) without macros, ActiveX or OLE
  objects, rewritten without their document properties (author, company, edit times) and
  with the pictures and workbooks inside cleaned too. Comments, tracked changes, template paths
  can still name people: handlers are warned (may_carry_metadata).
- PDF, rewritten page by page without its metadata, actions, annotations and links
  (pdf_cleaning.py); pictures inside keep theirs, so handlers are still warned
  (may_carry_metadata). Encrypted PDFs cannot be cleaned: refused as unreadable.
- UTF-8 text, stored without its byte order mark.

Everything else is Refused with a reason from REASONS: executables and scripts, anything a
browser would run (HTML, SVG, XML: "executable"), archives, files that can hold macros we
cannot inspect (OLE2: .doc/.xls/.ppt/.msg/.msi, RTF), sound and video (a voice identifies a
person: "media"), and GIF/WebP/TIFF/BMP pictures ("not_allowed": fewer decoders, less to attack).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attachment_refusal import REASONS, Refused
from .office_files import OLE2_MAGIC, ZIP_MAGIC, clean_office_file
from .pdf_cleaning import UncleanablePdf, clean_pdf
from .pictures import JPEG_MAGIC, PNG_MAGIC, reencode_image

__all__ = ["REASONS", "CleanFile", "Refused", "clean"]


@dataclass(frozen=True)
class CleanFile:
    #: "image", "pdf", "document" or "text"
    kind: str
    #: the Content-Type to serve it with
    media_type: str
    #: without the dot: "jpg", "png", "pdf", "docx", "xlsx", "pptx", "txt"
    extension: str
    #: the cleaned bytes to store
    data: bytes
    #: True: the file may still identify its author (PDF, office files); handlers are warned
    may_carry_metadata: bool


_RTF = b"{\\rtf"
# sound and video: MP3 with tags, Ogg, FLAC, Matroska/WebM, AMR voice memos (sniffed before "#!", a
# script), Flash video, ASF (WMA, WMV), MIDI, Apple Core Audio, MPEG program stream and MPEG video
_MEDIA_MAGIC = (
    *(b"ID3", b"OggS", b"fLaC", b"\x1a\x45\xdf\xa3", b"#!AMR", b"FLV\x01", b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),
    *(b"MThd\x00\x00\x00\x06", b"caff\x00\x01", b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"),
)
# Windows (PE, DOS), Linux, WebAssembly, Android, scripts; Mach-O 32 and 64 bit in both byte
# orders, universal Mach-O and Java classes (CAFEBABE); Windows shortcuts (.lnk)
_EXECUTABLE_MAGIC = (
    *(b"MZ", b"\x7fELF", b"\x00asm", b"dex\n", b"#!"),
    *(b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"),
    *(b"\xca\xfe\xba\xbe", b"\xbe\xba\xfe\xca", b"L\x00\x00\x00\x01\x14\x02\x00"),
)
# RAR, 7-Zip, gzip, compress (.Z), xz, zstd, lzip, Windows cabinet, xar, ar (.deb); more in _sniff
_ARCHIVE_MAGIC = (
    *(b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"\x1f\x9d", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd"),
    *(b"LZIP\x01", b"MSCF\x00\x00\x00\x00", b"xar!", b"!<arch>\n"),
)
# ISO base media ("ftyp" box) brands: HEIF pictures, AVIF pictures; any other is sound or video
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_RIFF_MEDIA = frozenset({b"WAVE", b"AVI ", b"RMID", b"CDXA", b"AMV ", b"QLCM"})
# markup a browser may render (HTML, SVG, XML): "<" then a tag name, "!", "?" or "/"
_MARKUP_START = re.compile(r"<[!?/A-Za-z]")


def clean(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanFile:
    """The file to store for `data`, cleaned; Refused when it may not be stored."""
    if not data:
        raise Refused("empty")
    if len(data) > max_bytes:
        raise Refused("too_large")
    sniffed = _sniff(data)
    if sniffed in ("JPEG", "HEIF"):
        return CleanFile("image", "image/jpeg", "jpg", reencode_image(data, sniffed, "JPEG", max_pixels), False)
    if sniffed == "PNG":
        return CleanFile("image", "image/png", "png", reencode_image(data, "PNG", "PNG", max_pixels), False)
    if sniffed == "PDF":
        try:
            return CleanFile("pdf", "application/pdf", "pdf", clean_pdf(data), True)
        except UncleanablePdf as exc:
            raise Refused("unreadable") from exc
    if sniffed == "ZIP":
        extension, media_type, package = clean_office_file(data, max_bytes, max_pixels)
        return CleanFile("document", media_type, extension, package, True)
    return _clean_text(data)


def _sniff(data: bytes) -> str:
    """What to clean the file as: JPEG, PNG, HEIF, PDF, ZIP or TEXT (_clean_text decides); else Refused."""
    head = data[:16]
    if head.startswith(JPEG_MAGIC):
        return "JPEG"
    if head.startswith(PNG_MAGIC):
        return "PNG"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(ZIP_MAGIC):
        return "ZIP"
    if head[4:8] == b"ftyp":
        return _sniff_iso_media(data)
    if head.startswith(OLE2_MAGIC) or head.startswith(_RTF):
        raise Refused("macro")
    if head.startswith(b"RIFF"):
        raise Refused("media" if head[8:12] in _RIFF_MEDIA else "not_allowed")  # WEBP: a picture
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC", b"8SVX"):
        raise Refused("media")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text; its BOM would pass for an MPEG frame
        raise Refused("not_allowed")
    if head.startswith(_MEDIA_MAGIC) or (head[0] == 0xFF and head[1:2] and head[1] >= 0xE0):  # MPEG audio frame
        raise Refused("media")
    if head.startswith(_EXECUTABLE_MAGIC):
        raise Refused("executable")
    # bzip2: "BZh", the block size digit, then a block's or the end of stream's magic
    bzip2 = head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90")
    if head.startswith(_ARCHIVE_MAGIC) or bzip2 or data[257:262] == b"ustar":
        raise Refused("archive")
    return "TEXT"


def _sniff_iso_media(data: bytes) -> str:
    """A file made of ISO base media boxes: a HEIF picture, else sound or video."""
    box_size = int.from_bytes(data[:4], "big")
    brands = {data[8:12]} | {data[i : i + 4] for i in range(16, min(box_size, 256) - 3, 4)}  # major, compatible
    if data[8:12] in _HEIF_BRANDS and not brands & _AVIF_BRANDS:
        return "HEIF"
    if brands & _AVIF_BRANDS:
        raise Refused("not_allowed")
    raise Refused("media")


# ---- text


def _clean_text(data: bytes) -> CleanFile:
    if b"\x00" in data:
        raise Refused("not_allowed")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused("not_allowed") from exc
    start = text.lstrip()
    if _MARKUP_START.match(start) or start.startswith("#!"):
        raise Refused("executable")
    if start.startswith("{\\rtf"):
        raise Refused("macro")
    return CleanFile("text", "text/plain; charset=utf-8", "txt", text.encode("utf-8"), False)
