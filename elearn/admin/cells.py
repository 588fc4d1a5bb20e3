"""The one rule for text written into a CSV or XLSX cell that a spreadsheet will open.

Spreadsheets run a cell that starts with = + - @ (and, in some, a tab or carriage
return before them) as a formula: `=HYPERLINK(...)` in a department name would become
a live link. Such text gets a leading apostrophe, which shows it as plain text.
The PostgreSQL COPY export builds the same rule in SQL from the same characters.
"""

from __future__ import annotations

from sqlalchemy import case, func, literal

#: a cell starting with one of these is read as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_cell_sql(column):
    """safe_cell as an SQL expression, for exports formatted by the database."""
    value = func.coalesce(column, "")
    return case((func.substr(value, 1, 1).in_(FORMULA_STARTS), literal("'") + value), else_=value)
