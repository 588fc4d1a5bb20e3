"""The completion report as CSV, streamed with constant memory.

On PostgreSQL the database formats the rows itself (COPY ... TO STDOUT of the report
query, reshaped to the CSV columns), which is as fast as an export can be; elsewhere
(SQLite) Python writes the same columns from a server-side cursor.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import String, case, cast, func, select

from ..catalog import Catalog
from ..extensions import db
from .cells import safe_cell, safe_cell_sql
from .reports import COLUMNS


def _iso(column):
    # Stored as naive UTC: printed as ISO 8601 with its offset.
    return func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')


def csv_select(query, catalog: Catalog):
    sub = query.subquery()
    countries: dict[str, list[str]] = defaultdict(list)
    for country, region in catalog.regions.items():
        countries[region].append(country)
    region_of = case(
        *[(sub.c.country.in_(codes), region) for region, codes in sorted(countries.items())],
        else_=catalog.default_region,
    )
    columns = [
        safe_cell_sql(sub.c.employee_id),
        safe_cell_sql(sub.c.name),
        safe_cell_sql(sub.c.department),
        sub.c.country,
        region_of,
        sub.c.locale,
        sub.c.course_id,
        sub.c.status,
        _iso(sub.c.due_at),
        _iso(sub.c.completed_at),
        cast(sub.c.score, String),
        sub.c.course_version,
        sub.c.certificate_code,
        _iso(sub.c.expires_at),
        sub.c.completed_region,
        sub.c.attestation_id,
        sub.c.attestation_hash,
    ]
    return select(*[c.label(name) for c, name in zip(columns, COLUMNS, strict=True)]).order_by(
        sub.c.employee_id, sub.c.course_id
    )


def _naive_utc(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def stream_postgresql(query, catalog: Catalog):
    compiled = csv_select(query, catalog).compile(
        dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = {key: _naive_utc(value) for key, value in compiled.params.items()}
    raw = db.session.connection().connection.driver_connection
    assert raw is not None  # a checked-out connection always has its driver's connection
    with raw.cursor() as cursor, cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER)", params) as copy:
        for data in copy:
            yield bytes(data)


def _iso_py(value) -> str:
    return value.isoformat() if value is not None else ""


def stream_rows(statement, header, row_of, start: str = "", **dialect):
    """CSV text of `statement`'s rows, one chunk per 2,000 rows from a server-side cursor:
    memory stays flat at any size. `row_of` turns a row (report_query's column order,
    by position) into the cells to write."""
    buffer = io.StringIO()
    buffer.write(start)
    writer = csv.writer(buffer, **dialect)
    writer.writerow(header)
    for chunk in db.session.execute(statement.execution_options(yield_per=2000)).partitions():
        writer.writerows(map(row_of, chunk))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def stream_python(statement, catalog: Catalog):
    region_for = catalog.region_for

    def row_of(r):
        return [
            safe_cell(r[0]),
            safe_cell(r[1]),
            safe_cell(r[2]),
            r[3] or "",
            region_for(r[3]),
            r[4],
            r[5],
            r[6],
            _iso_py(r[7]),
            _iso_py(r[8]),
            "" if r[9] is None else r[9],
            r[10] or "",
            r[11] or "",
            _iso_py(r[12]),
            r[14] or "",
            r[15] or "",
            r[16] or "",
        ]

    return stream_rows(statement, COLUMNS, row_of)


def stream_csv(query, ordered, catalog: Catalog):
    if db.engine.dialect.name == "postgresql":
        return stream_postgresql(query, catalog)
    return stream_python(ordered, catalog)
