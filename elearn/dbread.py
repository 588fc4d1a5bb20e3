"""One read on the hottest pages without the ORM's per-request costs.

A Core statement is compiled once per database dialect and run on a pooled DBAPI
connection outside a transaction. Measured on PostgreSQL (see `make bench`): the
same query costs ~570 us through a Connection in a transaction (BEGIN ... ROLLBACK
round trips, cache-key generation, result processing) and ~140 us this way. Only for
reads of ids and strings: no type processing is applied to the rows.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select


class CompiledRead:
    def __init__(self, statement: Select):
        self._statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def _sql_for(self, engine: Engine) -> tuple[str, tuple[str, ...] | None]:
        dialect = engine.dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)
            found = (str(compiled), tuple(compiled.positiontup) if compiled.positional else None)
            self._compiled[dialect.name] = found
        return found

    def all(self, engine: Engine, params: Mapping[str, Any]) -> list[tuple]:
        sql, positions = self._sql_for(engine)
        args = tuple(params[name] for name in positions) if positions is not None else dict(params)
        pooled = engine.raw_connection()
        dbapi_error = engine.dialect.loaded_dbapi.Error
        try:
            driver = pooled.driver_connection
            autocommit = engine.dialect.name == "postgresql"
            if autocommit:  # psycopg: no BEGIN/ROLLBACK round trips for one read
                driver.autocommit = True
            cursor = pooled.cursor()
            cursor.execute(sql, args)
            rows = cursor.fetchall()
            cursor.close()
            if autocommit:
                driver.autocommit = False
            return rows
        except dbapi_error as error:
            # As SQLAlchemy does on its own paths: a connection that failed is not
            # handed to the next request (it may be lost, or left in autocommit).
            pooled.invalidate(error)
            raise DBAPIError.instance(sql, args, error, dbapi_error) from error
        finally:
            pooled.close()
