"""elearn/concerns/attachments.py: what a file sent to the grievance channel is stored as.
Every sample is made here (Pillow, pillow-heif, zipfile, openpyxl): no binary fixtures."""

import io
import struct
import time
import zipfile
import zlib

import openpyxl
import pillow_heif
import pytest
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo
from pypdf.generic import NameObject, TextStringObject

from elearn.concerns.attachments import REASONS, CleanFile, Refused, clean

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE, MODEL, DATE_TIME = 0x010F, 0x0110, 0x0132


def cleaned(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> CleanFile:
    return clean(data, max_bytes=max_bytes, max_pixels=max_pixels)


def refusal(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> str:
    with pytest.raises(Refused) as refused:
        clean(data, max_bytes=max_bytes, max_pixels=max_pixels)
    assert refused.value.reason in REASONS
    return refused.value.reason


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "Phonemaker"
    exif[MODEL] = "Phone 12"
    exif[DATE_TIME] = "2024:05:01 23:12:09"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (52.0, 22.0, 5.5), 3: "E", 4: (4.0, 53.0, 2.1)}
    return exif


def landscape_picture() -> Image.Image:
    """40 x 20: red on the left half, blue on the right."""
    picture = Image.new("RGB", (40, 20), "blue")
    ImageDraw.Draw(picture).rectangle((0, 0, 19, 19), fill="red")
    return picture


def phone_jpeg(orientation: int = 6) -> bytes:
    out = io.BytesIO()
    landscape_picture().save(
        out, format="JPEG", exif=camera_exif(orientation), comment=b"Jane Doe's phone", icc_profile=b"fake profile"
    )
    return out.getvalue()


def png_bytes(picture: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG", **params)
    return out.getvalue()


def pixel(picture: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """The RGBA value at xy."""
    value = picture.convert("RGBA").getpixel(xy)
    assert isinstance(value, tuple)
    return value


def assert_no_metadata(data: bytes) -> None:
    assert b"Exif" not in data
    assert b"Phonemaker" not in data
    assert b"Jane Doe" not in data
    with Image.open(io.BytesIO(data)) as picture:
        assert not picture.getexif()
        assert not picture.getexif().get_ifd(GPS_IFD)
        assert "icc_profile" not in picture.info
        assert "comment" not in picture.info


# ---- pictures


def test_jpeg_loses_exif_and_gps_and_is_turned_upright():
    original = phone_jpeg(orientation=6)
    with Image.open(io.BytesIO(original)) as picture:
        assert picture.getexif().get_ifd(GPS_IFD)  # the sample does carry a position

    stored = cleaned(original)

    assert (stored.kind, stored.media_type, stored.extension) == ("image", "image/jpeg", "jpg")
    assert stored.may_carry_metadata is False
    assert_no_metadata(stored.data)
    with Image.open(io.BytesIO(stored.data)) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (20, 40)  # orientation 6: turned a quarter clockwise
        red, green, blue, alpha = pixel(picture, (10, 5))  # the left half is now on top
        assert red > 200 and blue < 60
    with Image.open(io.BytesIO(cleaned(phone_jpeg(orientation=1)).data)) as picture:
        assert picture.size == (40, 20)  # already upright: not turned


def test_png_loses_text_chunks_and_keeps_transparency():
    picture = Image.new("RGBA", (8, 8), (0, 128, 0, 255))
    picture.putpixel((0, 0), (0, 0, 0, 0))
    info = PngInfo()
    info.add_text("Author", "Jane Doe")
    info.add_itxt("Comment", "Jane Doe wrote this", zip=True)
    original = png_bytes(picture, pnginfo=info, exif=camera_exif())
    assert b"tEXt" in original

    stored = cleaned(original)

    assert (stored.kind, stored.media_type, stored.extension) == ("image", "image/png", "png")
    assert b"tEXt" not in stored.data and b"iTXt" not in stored.data and b"eXIf" not in stored.data
    assert_no_metadata(stored.data)
    with Image.open(io.BytesIO(stored.data)) as result:
        assert result.format == "PNG"
        assert not getattr(result, "text", {})
        assert pixel(result, (0, 0))[3] == 0
        assert pixel(result, (4, 4)) == (0, 128, 0, 255)


def test_animated_png_keeps_its_first_frame():
    frames = [Image.new("RGB", (6, 6), colour) for colour in ("red", "blue")]
    original = png_bytes(frames[0], save_all=True, append_images=frames[1:])

    stored = cleaned(original)

    with Image.open(io.BytesIO(stored.data)) as result:
        assert getattr(result, "n_frames", 1) == 1
        assert pixel(result, (3, 3)) == (255, 0, 0, 255)


def test_heic_comes_out_as_jpeg_without_exif():
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    landscape_picture().save(out, format="HEIF", exif=camera_exif(orientation=1).tobytes())
    original = out.getvalue()
    assert original[4:12] == b"ftypheic" and b"Phonemaker" in original

    stored = cleaned(original)

    assert (stored.kind, stored.media_type, stored.extension) == ("image", "image/jpeg", "jpg")
    assert_no_metadata(stored.data)
    with Image.open(io.BytesIO(stored.data)) as result:
        assert result.format == "JPEG"
        assert result.size == (40, 20)


def blank_bilevel_png(width: int, height: int) -> bytes:
    """A whole, valid black-and-white PNG, as Image.new("1", ...).save() writes it, but made
    in a fraction of the time for a big one."""

    def chunk(kind: bytes, content: bytes) -> bytes:
        return struct.pack(">I", len(content)) + kind + content + struct.pack(">I", zlib.crc32(kind + content))

    rows = (b"\x00" + bytes((width + 7) // 8)) * height  # each row: filter type 0, then the bits
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_quickly():
    bomb = blank_bilevel_png(20000, 20000)  # 400 million pixels in about 50 KB
    assert len(bomb) < 100_000
    started = time.monotonic()
    assert refusal(bomb, max_pixels=MAX_PIXELS) == "too_many_pixels"
    assert time.monotonic() - started < 0.5


def test_pixels_are_counted_before_any_is_decoded():
    # truncated: decoding it would say "unreadable"
    picture = png_bytes(Image.new("1", (300, 300)))
    assert refusal(picture[:60], max_pixels=300 * 300 - 1) == "too_many_pixels"
    assert refusal(picture, max_pixels=300 * 300 - 1) == "too_many_pixels"
    assert cleaned(picture, max_pixels=300 * 300).kind == "image"
    assert refusal(picture[:60], max_pixels=300 * 300) == "unreadable"


def test_damaged_pictures_are_unreadable():
    assert refusal(phone_jpeg()[:300]) == "unreadable"
    broken_png = bytearray(png_bytes(landscape_picture()))
    broken_png[40:60] = b"\x00" * 20  # inside the pixel data: its checksum fails
    assert refusal(bytes(broken_png)) == "unreadable"


def test_size_limits_are_checked_before_anything_is_read():
    assert refusal(b"") == "empty"
    assert refusal(b"%PDF-1.7\n" + b" " * 100, max_bytes=100) == "too_large"
    assert refusal(b"x" * 101, max_bytes=100) == "too_large"
    assert cleaned(b"x" * 100, max_bytes=100).kind == "text"


#: (what the sample is, the reason it is refused for, its first bytes)
REFUSED_BY_CONTENT = [
    ("windows-exe", "executable", b"MZ" + b"\x90\x00" * 200),
    ("elf", "executable", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),
    ("shebang", "executable", b"#!/bin/sh\nrm -rf ~\n"),
    ("mach-o", "executable", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01"),
    ("java-class", "executable", b"\xca\xfe\xba\xbe\x00\x00\x00\x34"),
    ("wasm", "executable", b"\x00asm\x01\x00\x00\x00"),
    ("lnk", "executable", b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00"),
    ("html", "executable", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("html-after-bom", "executable", b"\xef\xbb\xbf  <html><body>hi</body></html>"),
    ("svg", "executable", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("bare-svg", "executable", b"<svg onload=alert(1)>"),
    ("rar", "archive", b"Rar!\x1a\x07\x01\x00"),
    ("7z", "archive", b"7z\xbc\xaf\x27\x1c\x00\x04"),
    ("gzip", "archive", b"\x1f\x8b\x08\x00\x00\x00\x00\x00"),
    ("bzip2", "archive", b"BZh91AY&SY\x00\x00"),
    ("xz", "archive", b"\xfd7zXZ\x00\x00\x04"),
    ("tar", "archive", b"notes.txt".ljust(257, b"\x00") + b"ustar\x0000" + b"\x00" * 200),
    ("ole2", "macro", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
    ("rtf", "macro", b"{\\rtf1\\ansi {\\object\\objemb {\\*\\objdata 01050000}}}"),
    ("mp4", "media", b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"),
    ("m4a", "media", b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom"),
    ("mov", "media", b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "),
    ("3gp", "media", b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x00\x00isom3gp4"),
    ("id3", "media", b"ID3\x04\x00\x00\x00\x00\x00\x23TSSE"),
    ("mp3-frame", "media", b"\xff\xfb\x90\x64\x00\x00\x00\x00"),
    ("wav", "media", b"RIFF\x24\x00\x00\x00WAVEfmt "),
    ("avi", "media", b"RIFF\x24\x00\x00\x00AVI LIST"),
    ("ogg", "media", b"OggS\x00\x02\x00\x00"),
    ("flac", "media", b"fLaC\x00\x00\x00\x22"),
    ("webm", "media", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81"),
    ("amr", "media", b"#!AMR\n\x3c"),
    ("gif", "not_allowed", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("webp", "not_allowed", b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"),
    ("tiff", "not_allowed", b"II*\x00\x08\x00\x00\x00"),
    ("avif", "not_allowed", b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"),
    ("avif-as-mif1", "not_allowed", b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf"),
    ("latin-1", "not_allowed", b"caf\xe9 au lait"),
    ("nul", "not_allowed", b"text\x00with a NUL"),
    ("utf-16", "not_allowed", b"\xff\xfeh\x00i\x00"),
    ("binary", "not_allowed", b"\x00\x01\x02\x03binary"),
]


@pytest.mark.parametrize(
    "reason, data", [sample[1:] for sample in REFUSED_BY_CONTENT], ids=[sample[0] for sample in REFUSED_BY_CONTENT]
)
def test_refused_by_content(reason, data):
    assert refusal(data) == reason


def test_plain_zip_is_an_archive():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert refusal(out.getvalue()) == "archive"


# ---- PDF and text


def authored_pdf(password: str | None = None) -> bytes:
    """Two pages with the author's name in the information and XMP, a script run on
    opening, a comment signed by its author and a link out."""
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript
    from pypdf.annotations import FreeText, Link

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Jane Doe", "/Creator": "JDOE-LAPTOP"})
    writer.add_open_action(JavaScript("app.launchURL('https://tracker.example/opened');"))
    comment = FreeText(text="Checked", rect=(10, 10, 100, 50))
    comment[NameObject("/T")] = TextStringObject("Jane Doe")
    writer.add_annotation(page_number=0, annotation=comment)
    writer.add_annotation(page_number=1, annotation=Link(rect=(10, 10, 50, 50), url="https://tracker.example/x"))
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_loses_its_author_scripts_comments_and_links():
    from pypdf import PdfReader

    original = authored_pdf()
    assert b"Jane Doe" in original and b"/OpenAction" in original or b"/JavaScript" in original
    stored = cleaned(original)
    assert (stored.kind, stored.media_type, stored.extension, stored.may_carry_metadata) == (
        "pdf",
        "application/pdf",
        "pdf",
        True,
    )
    for trace in (
        b"Jane Doe",
        b"JDOE",
        b"tracker.example",
        b"/JavaScript",
        b"/OpenAction",
        b"/FreeText",
        b"/Link",
        b"/URI",
    ):
        assert trace not in stored.data, trace
    reader = PdfReader(io.BytesIO(stored.data))
    assert len(reader.pages) == 2 and "/Author" not in (reader.metadata or {})


def test_encrypted_or_damaged_pdf_is_unreadable():
    assert refusal(authored_pdf(password="secret")) == "unreadable"
    assert refusal(b"%PDF-1.7\n1 0 obj<</Author (Jane Doe)>>endobj\ntrailer<</Info 1 0 R>>\n%%EOF\n") == "unreadable"


def test_utf8_text_is_stored_without_its_byte_order_mark():
    text = "Überstunden werden nicht bezahlt. 加班没有报酬。\n"
    stored = cleaned(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert stored == CleanFile("text", "text/plain; charset=utf-8", "txt", text.encode("utf-8"), False)
    assert cleaned(b"I <3 this company\n").kind == "text"


# ---- office files


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:creator>Jane Doe</dc:creator><cp:lastModifiedBy>Jane Doe</cp:lastModifiedBy>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2024-05-01T23:12:09Z</dcterms:created>'
    "</cp:coreProperties>"
)
APP_XML = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Company>ACME Garments</Company><TotalTime>17</TotalTime></Properties>"
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Overtime is not paid.</w:t></w:r></w:p></w:body></w:document>"
)
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def word_file(main_type: str = WORD_MAIN, extra_parts: dict[str, bytes] | None = None) -> bytes:
    """A .docx as Word lays it out, with the author's name in its properties."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="jpeg" ContentType="image/jpeg"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>'
        '<Override PartName="/docProps/core.xml"'
        ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    root_relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId3" Type="{OFFICE_RELATIONSHIPS}/extended-properties" Target="docProps/app.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId1" Type="{OFFICE_RELATIONSHIPS}/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    parts = {
        "[Content_Types].xml": content_types.encode(),
        "_rels/.rels": root_relationships.encode(),
        "docProps/app.xml": APP_XML.encode(),
        "docProps/core.xml": CORE_XML.encode(),
        "word/document.xml": DOCUMENT_XML.encode(),
        **(extra_parts or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_word_file_loses_its_author_and_still_opens():
    original = word_file()
    assert b"Jane Doe" in unzipped(original)["docProps/core.xml"]

    stored = cleaned(original)

    assert stored.kind == "document" and stored.extension == "docx"
    assert stored.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert stored.may_carry_metadata is True  # comments and tracked changes still name people
    parts = unzipped(stored.data)
    assert set(parts) == {"[Content_Types].xml", "_rels/.rels", "word/document.xml"}
    assert all(b"Jane Doe" not in content and b"ACME" not in content for content in parts.values())
    assert parts["word/document.xml"] == DOCUMENT_XML.encode()
    relationships = parts["_rels/.rels"].decode()
    assert "core.xml" not in relationships and "app.xml" not in relationships
    assert 'Target="word/document.xml"' in relationships and "ns0:" not in relationships
    content_types = parts["[Content_Types].xml"].decode()
    assert "/docProps/" not in content_types and WORD_MAIN in content_types and "ns0:" not in content_types


def test_cleaned_office_file_has_fixed_entry_times():
    stored = cleaned(word_file())
    with zipfile.ZipFile(io.BytesIO(stored.data)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert cleaned(word_file()).data == stored.data


def test_photo_inside_a_word_file_loses_its_position():
    stored = cleaned(word_file(extra_parts={"word/media/image1.jpeg": phone_jpeg()}))
    photo = unzipped(stored.data)["word/media/image1.jpeg"]
    assert_no_metadata(photo)


def excel_file() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.worksheets[0]["A1"] = "Hours worked"
    workbook.properties.creator = workbook.properties.lastModifiedBy = "Jane Doe"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_excel_file_loses_its_author_and_opens_in_openpyxl():
    stored = cleaned(excel_file())

    assert (stored.kind, stored.extension) == ("document", "xlsx")
    assert all(b"Jane Doe" not in content for content in unzipped(stored.data).values())
    reopened = openpyxl.load_workbook(io.BytesIO(stored.data))
    assert reopened.worksheets[0]["A1"].value == "Hours worked"
    assert reopened.properties.creator != "Jane Doe"


@pytest.mark.parametrize(
    "main_type, extra_parts",
    [
        ("application/vnd.ms-word.document.macroEnabled.main+xml", {"word/vbaProject.bin": b"Attribute VB_Name"}),
        (WORD_MAIN, {"word/vbaProject.bin": b"Attribute VB_Name"}),
        ("application/vnd.ms-word.document.macroEnabled.main+xml", {}),
        (WORD_MAIN, {"word/activeX/activeX1.xml": b"<ax:ocx/>"}),
        (WORD_MAIN, {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100}),
    ],
    ids=["docm", "vba-part-in-docx", "macro-content-type", "activex", "ole-object"],
)
def test_office_file_with_code_is_refused(main_type, extra_parts):
    assert refusal(word_file(main_type, extra_parts)) == "macro"


def test_zip_bombs_and_other_packages_are_archives():
    bomb = word_file(extra_parts={"word/media/padding.bin": b"\x00" * (10 * 4000 + 1)})
    assert len(bomb) < 4000
    assert refusal(bomb, max_bytes=4000) == "archive"
    assert refusal(word_file(extra_parts={f"word/part{number}.xml": b"<a/>" for number in range(2001)})) == "archive"
    assert refusal(word_file(main_type="application/xml")) == "archive"  # no Word, Excel or PowerPoint part


def test_office_file_with_a_dtd_is_unreadable():
    billion_laughs = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'
    assert refusal(word_file(extra_parts={"[Content_Types].xml": billion_laughs})) == "unreadable"


def test_workbook_inside_a_word_file_loses_its_author():
    # Word keeps the data behind a chart as a whole workbook, with its own properties
    embedded = "word/embeddings/Microsoft_Excel_Worksheet.xlsx"
    stored = cleaned(word_file(extra_parts={embedded: excel_file()}))
    workbook = unzipped(unzipped(stored.data)[embedded])
    assert "docProps/core.xml" not in workbook
    assert all(b"Jane Doe" not in content for content in workbook.values())


def test_zip_inside_a_word_file_is_refused_unless_an_office_file():
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert refusal(word_file(extra_parts={"word/embeddings/notes.zip": plain_zip.getvalue()})) == "archive"
    nested_twice = word_file(extra_parts={"word/embeddings/inner.docx": word_file()})
    assert refusal(word_file(extra_parts={"word/embeddings/outer.docx": nested_twice})) == "archive"


def test_links_out_of_an_office_file_point_nowhere():
    """A remote picture or a template on a file share would tell a server who opened it."""
    document_relationships = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId9" Type="{OFFICE_RELATIONSHIPS}/image" Target="https://tracker.example/p.png"'
        ' TargetMode="External"/>'
        f'<Relationship Id="rId8" Type="{OFFICE_RELATIONSHIPS}/attachedTemplate"'
        ' Target="file://attacker/share/t.dotm" TargetMode="External"/></Relationships>'
    )
    stored = cleaned(word_file(extra_parts={"word/_rels/document.xml.rels": document_relationships.encode()}))
    relationships = unzipped(stored.data)["word/_rels/document.xml.rels"]
    assert b"tracker.example" not in relationships and b"attacker" not in relationships
    assert relationships.count(b'Target="about:blank"') == 2


def test_pictures_of_an_office_file_share_one_pixel_budget():
    """Many large pictures in one small document: refused, not re-encoded for minutes."""
    picture = blank_bilevel_png(4000, 4000)  # 16 million pixels each, under the cap of one picture
    parts = {f"word/media/image{i}.png": picture for i in range(3)}
    assert refusal(word_file(extra_parts=parts), max_pixels=40_000_000) == "too_many_pixels"
    assert cleaned(word_file(extra_parts=dict(list(parts.items())[:2])), max_pixels=40_000_000).kind == "document"
