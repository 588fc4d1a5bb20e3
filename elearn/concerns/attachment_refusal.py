"""Why a file sent to the grievance channel is not stored (attachments.py and the
modules that clean each kind of file raise it; uploads.py says it to the sender)."""

from __future__ import annotations

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


class Refused(Exception):
    """The file may not be stored; `reason` is one of REASONS."""

    def __init__(self, reason: str):
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(reason)
        self.reason = reason
