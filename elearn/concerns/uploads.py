"""Files sent with a message (by the reporter or a handler): the limits of the
configuration, the cleaning of attachments.py, and what the sender is told when a
file is refused. Nothing is stored unless every file passes."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import FileStorage

from .attachments import CleanFile, Refused, clean


def refusal_message(reason: str) -> str:
    config = current_app.config
    messages = {
        "empty": _("The file is empty."),
        "too_large": _(
            "The file is larger than %(size)s MB. Send a smaller file.",
            size=config["ELEARN_ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
        ),
        "too_many_pixels": _("The picture is too large. Send a smaller picture or a screenshot of it."),
        "unreadable": _("The file cannot be read. It may be damaged."),
        "executable": _("Programs and scripts cannot be sent."),
        "archive": _("Archives (such as ZIP files) cannot be sent. Send the files one by one."),
        "macro": _("Office files with macros, and old Office formats, cannot be sent. Save the file as PDF."),
        "media": _("Sound and video cannot be sent: a voice can identify a person. Write down what was said."),
    }
    return messages.get(
        reason,
        _(
            "This kind of file cannot be sent. Send a photo (JPEG, PNG, HEIC), a PDF, text, "
            "or a Word, Excel or PowerPoint file."
        ),
    )


def cleaned_uploads(uploads: Iterable[FileStorage]) -> tuple[list[CleanFile], list[str]]:
    """-> (the cleaned files, the errors to show). Only when there are no errors may the
    files be stored. Each file is read no further than one byte past the limit."""
    config = current_app.config
    max_bytes, max_files = config["ELEARN_ATTACHMENT_MAX_BYTES"], config["ELEARN_ATTACHMENT_MAX_FILES"]
    # a part without a usable file name arrives as text, not as a file: it is no upload
    sent = [upload for upload in uploads if isinstance(upload, FileStorage) and upload.filename]
    if len(sent) > max_files:
        return [], [
            ngettext(
                "Send at most %(num)d file with one message.",
                "Send at most %(num)d files with one message.",
                max_files,
            )
        ]
    files, errors = [], []
    for number, upload in enumerate(sent, start=1):
        try:
            files.append(
                clean(
                    upload.stream.read(max_bytes + 1),
                    max_bytes=max_bytes,
                    max_pixels=config["ELEARN_ATTACHMENT_MAX_PIXELS"],
                )
            )
        except Refused as refused:
            # the file's own name is not repeated: it may name a person or a place
            errors.append(_("File %(number)d: %(reason)s", number=number, reason=refusal_message(refused.reason)))
    return (files if not errors else []), errors
