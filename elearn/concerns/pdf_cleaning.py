"""PDFs sent to the grievance channel, rewritten page by page (pypdf) so that what
names or follows their author stays behind: the document information (author,
creator, dates), XMP metadata, earlier versions kept by incremental saves, actions run
on opening (JavaScript, launching a program), form fields and annotations (a comment
carries its author's name) and links out. What the pages show is kept.

Not removed: the metadata of pictures inside the pages (a scanned photo's EXIF), text
that names someone; handlers are still warned that documents can identify their author.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

#: more pages than a report needs: refused rather than rewritten at length
MAX_PAGES = 300
#: page entries that hold actions, metadata or application data
_PAGE_KEYS_DROPPED = ("/AA", "/Metadata", "/PieceInfo")


class UncleanablePdf(ValueError):
    """Encrypted, damaged or too long to rewrite."""


def clean_pdf(data: bytes) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UncleanablePdf("encrypted")
        if len(reader.pages) > MAX_PAGES:
            raise UncleanablePdf("pages")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)  # the page and what it draws, not the document's catalog or info
        for page in writer.pages:
            for key in _PAGE_KEYS_DROPPED:
                if key in page:
                    del page[key]
        writer.remove_annotations(subtypes=None)
        out = io.BytesIO()
        writer.write(out)
    except UncleanablePdf:
        raise
    except Exception as exc:  # any failure of the parser on untrusted bytes: a damaged file
        raise UncleanablePdf("damaged") from exc
    return out.getvalue()
