"""The page of a listing (users, reports, audit log, case queue), for `db.paginate`."""

from __future__ import annotations

from flask import request

#: rows on one page of every listing
PAGE_SIZE = 50
#: pages past this are past the end of any listing; it keeps OFFSET an integer SQLite and
#: PostgreSQL accept (a larger one is an overflow error, not an empty page)
MAX_PAGE = 10**9


def page_number() -> int:
    """The `page` query argument: 1 when it is missing, not a number or below 1. A page past
    the last is kept: `db.paginate(..., error_out=False)` gives it no rows, never a 404."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
