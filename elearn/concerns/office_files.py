"""Word, Excel and PowerPoint files (Office Open XML: a zip of parts, [Content_Types].xml
says what each is) sent to the grievance channel: refused with macros, ActiveX or OLE
objects; otherwise rewritten without their document properties (author, company, edit
times), with every link out pointing nowhere and the pictures and workbooks inside
cleaned too."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

from .attachment_refusal import Refused
from .pictures import JPEG_MAGIC, PNG_MAGIC, PixelBudget, reencode_image

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: an office file may unzip to at most this many times max_bytes (more is a zip bomb)
UNZIPPED_SIZE_FACTOR = 10
#: a long presentation has a few hundred parts
MAX_ZIP_ENTRIES = 2000
#: zip entry times are the same for every file: the sender's clock says nothing
ZIP_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)

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
class _UnzipBudget(PixelBudget):
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
    if head.startswith(OLE2_MAGIC):  # an OLE object, an old .xls inside a chart: may hold macros
        raise Refused("macro")
    if head.startswith(ZIP_MAGIC):  # an embedded office file, e.g. the workbook behind a chart
        if nested:
            raise Refused("archive")
        return _clean_package(content, budget, max_pixels, nested=True)[1]
    if head.startswith(JPEG_MAGIC):  # a phone's photo pasted into a document keeps its GPS position
        return reencode_image(content, "JPEG", "JPEG", max_pixels, budget)
    if head.startswith(PNG_MAGIC):
        return reencode_image(content, "PNG", "PNG", max_pixels, budget)
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


def clean_office_file(data: bytes, max_bytes: int, max_pixels: int) -> tuple[str, str, bytes]:
    """-> (extension, Content-Type, the cleaned file); Refused otherwise."""
    budget = _UnzipBudget(pixels=max_pixels, remaining=UNZIPPED_SIZE_FACTOR * max_bytes)
    main_type, package = _clean_package(data, budget, max_pixels, nested=False)
    extension, media_type = _OFFICE_MAIN_TYPES[main_type]
    return extension, media_type, package
