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

import functools
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import pillow_heif
from defusedxml import ElementTree as SafeElementTree
from PIL import Image, ImageOps

from .pdf_cleaning import UncleanablePdf, clean_pdf

REASONS = (
    "empty",
    "too_large",
    "too_many_pixels",
    "unreadable",
    "executable",
    "archive",
    "macro",
    "media",
    "not_allowed",
)

JPEG_QUALITY = 85
#: an office file may unzip to at most this many times max_bytes (more is a zip bomb)
UNZIPPED_SIZE_FACTOR = 10
#: a long presentation has a few hundred parts
MAX_ZIP_ENTRIES = 2000
#: zip entry times are the same for every file: the sender's clock says nothing
ZIP_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


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


class Refused(Exception):
    """The file may not be stored; `reason` is one of REASONS."""

    def __init__(self, reason: str):
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(reason)
        self.reason = reason


_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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
        return CleanFile("image", "image/jpeg", "jpg", _reencode_image(data, sniffed, "JPEG", max_pixels), False)
    if sniffed == "PNG":
        return CleanFile("image", "image/png", "png", _reencode_image(data, "PNG", "PNG", max_pixels), False)
    if sniffed == "PDF":
        try:
            return CleanFile("pdf", "application/pdf", "pdf", clean_pdf(data), True)
        except UncleanablePdf as exc:
            raise Refused("unreadable") from exc
    if sniffed == "ZIP":
        budget = _UnzipBudget(UNZIPPED_SIZE_FACTOR * max_bytes, max_pixels)
        main_type, package = _clean_package(data, budget, max_pixels, nested=False)
        extension, media_type = _OFFICE_MAIN_TYPES[main_type]
        return CleanFile("document", media_type, extension, package, True)
    return _clean_text(data)


def _sniff(data: bytes) -> str:
    """What to clean the file as: JPEG, PNG, HEIF, PDF, ZIP or TEXT (_clean_text decides); else Refused."""
    head = data[:16]
    if head.startswith(_JPEG):
        return "JPEG"
    if head.startswith(_PNG):
        return "PNG"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(_ZIP):
        return "ZIP"
    if head[4:8] == b"ftyp":
        return _sniff_iso_media(data)
    if head.startswith(_OLE2) or head.startswith(_RTF):
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


# ---- pictures


@functools.cache
def _register_heif_opener() -> None:
    """Lets Pillow open HEIC/HEIF (what phones take pictures in); once per process."""
    pillow_heif.register_heif_opener()


def _reencode_image(
    data: bytes, pillow_format: str, output_format: str, max_pixels: int, budget: _UnzipBudget | None = None
) -> bytes:
    """The picture's first frame, upright, re-encoded from its pixels alone. `budget`: the
    pixels an office file's pictures may still have, all together (a document of hundreds
    of large pictures would keep a worker busy for minutes)."""
    if pillow_format == "HEIF":
        _register_heif_opener()
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


# ---- office files (Office Open XML: a zip of parts, [Content_Types].xml says what each is)

_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OOXML = "application/vnd.openxmlformats-officedocument."
#: the main part's content type -> the file's extension and Content-Type
_OFFICE_MAIN_TYPES = {
    f"{_OOXML}wordprocessingml.document.main+xml": ("docx", f"{_OOXML}wordprocessingml.document"),
    f"{_OOXML}spreadsheetml.sheet.main+xml": ("xlsx", f"{_OOXML}spreadsheetml.sheet"),
    f"{_OOXML}presentationml.presentation.main+xml": ("pptx", f"{_OOXML}presentationml.presentation"),
}
#: document properties: author, last editor, company, manager, edit times, template
_PROPERTY_PARTS = frozenset({"docprops/core.xml", "docprops/app.xml", "docprops/custom.xml"})
_PROPERTY_CONTENT_TYPES = frozenset(
    {"application/vnd.openxmlformats-package.core-properties+xml"}
    | {f"{_OOXML}{kind}-properties+xml" for kind in ("extended", "custom")}
)
_PROPERTY_RELATIONSHIP_ENDINGS = ("/core-properties", "/extended-properties", "/custom-properties")
#: in a content type: code we cannot inspect (VBA macros, ActiveX controls, OLE objects)
_MACRO_MARKERS = ("macroenabled", "vbaproject", "activex", "oleobject")
_MACRO_PART_NAMES = frozenset({"vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml"})


@dataclass
class _UnzipBudget:
    """The bytes an office file (with the ones embedded in it) may still unzip to, and the
    pixels its pictures may still have (one large photo's worth in all)."""

    remaining: int
    pixels: int


def _clean_package(data: bytes, budget: _UnzipBudget, max_pixels: int, *, nested: bool) -> tuple[str, bytes]:
    """The main part's content type and the office file without its document properties, its
    parts cleaned; Refused otherwise.
    `nested`: embedded in another office file (a chart's workbook), which may not nest further."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > budget.remaining:
                raise Refused("archive")
            names = [e.filename for e in entries]
            if len({name.lower() for name in names}) != len(names):  # two parts of one name: which is read?
                raise Refused("unreadable")
            parts = {e.filename: _unzip(archive, e, budget) for e in entries}
    except Refused:
        raise
    except Exception as exc:  # zipfile (or zlib) on untrusted bytes: damaged, encrypted, unknown compression
        raise Refused("unreadable") from exc
    content_types_name = _find(parts, "[content_types].xml")
    if content_types_name is None:
        raise Refused("archive")  # a plain zip
    content_types = _parse_xml(parts[content_types_name])
    declared = {element.get("ContentType", "") for element in content_types}
    if any(marker in content_type.lower() for content_type in declared for marker in _MACRO_MARKERS):
        raise Refused("macro")
    main_types = declared & _OFFICE_MAIN_TYPES.keys()
    if len(main_types) != 1:
        raise Refused("archive")  # no Word, Excel or PowerPoint document (or several)
    for name in names:
        segments = name.lower().split("/")
        if segments[-1] in _MACRO_PART_NAMES or "activex" in segments:
            raise Refused("macro")
    removed = _property_parts(parts, content_types)
    cleaned: dict[str, bytes] = {}
    for name, content in parts.items():
        if name.lower() in removed:
            continue
        if name == content_types_name:
            content = _without_overrides(content_types, removed)
        elif name.lower() == "_rels/.rels":
            content = _without_relationships(_parse_xml(content), removed)
        elif name.lower().endswith(".rels"):
            content = _without_external_targets(_parse_xml(content))
        else:
            content = _clean_part(content, budget, max_pixels, nested=nested)
        cleaned[name] = content
    return main_types.pop(), _zip(cleaned)


def _unzip(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: _UnzipBudget) -> bytes:
    # the sizes in the zip's directory may lie: read at most what the budget allows
    with archive.open(entry) as part:
        content = part.read(budget.remaining + 1)
    if len(content) > budget.remaining:
        raise Refused("archive")
    budget.remaining -= len(content)
    return content


def _clean_part(content: bytes, budget: _UnzipBudget, max_pixels: int, *, nested: bool) -> bytes:
    """A part of an office file, judged by its content: OLE objects refused, embedded office
    files and pictures cleaned, the rest (XML, fonts, drawings) kept as is."""
    head = content[:16]
    if head.startswith(_OLE2):  # an OLE object, an old .xls inside a chart: may hold macros
        raise Refused("macro")
    if head.startswith(_ZIP):  # an embedded office file, e.g. the workbook behind a chart
        if nested:
            raise Refused("archive")
        return _clean_package(content, budget, max_pixels, nested=True)[1]
    if head.startswith(_JPEG):  # a phone's photo pasted into a document keeps its GPS position
        return _reencode_image(content, "JPEG", "JPEG", max_pixels, budget)
    if head.startswith(_PNG):
        return _reencode_image(content, "PNG", "PNG", max_pixels, budget)
    return content


def _find(parts: dict[str, bytes], lower_name: str) -> str | None:
    """The part's name as stored (part names are case-insensitive)."""
    return next((name for name in parts if name.lower() == lower_name), None)


def _parse_xml(content: bytes) -> ElementTree.Element:
    # defusedxml: no DTD, hence no entity expansion and no external entity is ever fetched
    try:
        root: ElementTree.Element = SafeElementTree.fromstring(content, forbid_dtd=True)
    except (ElementTree.ParseError, ValueError) as exc:  # defusedxml's refusals are ValueErrors
        raise Refused("unreadable") from exc
    return root


def _property_parts(parts: dict[str, bytes], content_types: ElementTree.Element) -> set[str]:
    """The lower-case names of the document property parts: by name, content type or relationship."""
    removed = {name.lower() for name in parts if name.lower() in _PROPERTY_PARTS}
    for override in content_types.iter(f"{{{_CONTENT_TYPES}}}Override"):
        if override.get("ContentType") in _PROPERTY_CONTENT_TYPES:
            removed.add(override.get("PartName", "").lstrip("/").lower())
    root_relationships = _find(parts, "_rels/.rels")
    if root_relationships is not None:
        for relationship in _parse_xml(parts[root_relationships]):
            if relationship.get("Type", "").endswith(_PROPERTY_RELATIONSHIP_ENDINGS):
                removed.add(_package_path(relationship.get("Target", "")))
    return removed


def _package_path(target: str) -> str:
    """A relationship's target in _rels/.rels as a lower-case part name."""
    return posixpath.normpath(target.lstrip("/")).lower()


def _without_overrides(content_types: ElementTree.Element, removed: set[str]) -> bytes:
    for override in content_types.findall(f"{{{_CONTENT_TYPES}}}Override"):
        if override.get("PartName", "").lstrip("/").lower() in removed:
            content_types.remove(override)
    return _serialize(content_types, _CONTENT_TYPES)


def _without_relationships(relationships: ElementTree.Element, removed: set[str]) -> bytes:
    for relationship in list(relationships):
        if relationship.get("TargetMode") != "External" and _package_path(relationship.get("Target", "")) in removed:
            relationships.remove(relationship)
    return _without_external_targets(relationships)


def _without_external_targets(relationships: ElementTree.Element) -> bytes:
    """Links out of the document (a remote picture, a template on a file share, a
    hyperlink) point nowhere: opening the file must not call a server that would learn
    the reader's address or, on a share, their Windows account."""
    for relationship in relationships:
        if relationship.get("TargetMode") == "External":
            relationship.set("Target", "about:blank")
    return _serialize(relationships, _RELATIONSHIPS)


def _serialize(root: ElementTree.Element, namespace: str) -> bytes:
    # the namespace declared as the default, without a prefix, as Office writes these parts
    # (ElementTree's default_namespace= refuses the parts' attributes, which have none)
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{namespace}}}")
    root.set("xmlns", namespace)
    body = ElementTree.tostring(root, encoding="unicode")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + body.encode("utf-8")


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_ENTRY_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, content)
    return out.getvalue()


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
