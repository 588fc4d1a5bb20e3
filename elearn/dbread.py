"""Statements on the busiest requests, compiled once per database dialect.

- Reads (`CompiledStatement.all`) run on a pooled DBAPI connection outside a
  transaction: on PostgreSQL the module page's query costs ~570 us through a
  Connection in a transaction (BEGIN ... ROLLBACK round trips, cache-key generation,
  result processing) and ~140 us this way. Rows come back as the driver gives them,
  so only ids, strings and flags should be read like this.
- Writes run with the columns' bind processing (JSON, dates) applied, either on the
  session's connection inside its transaction (`scalar`) or as a transaction of their
  own (`first_committed`). This is for statements SQLAlchemy does not cache, such as
  INSERT ... ON CONFLICT, which it would otherwise compile on every request (~0.3 ms).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable


class _Compiled:
    def __init__(self, statement: Executable, dialect, keys: tuple[str, ...]):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) or None)
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise ValueError("give every column that has a Python-side default: it is not applied here")
        self.sql = str(compiled)
        self.positions = tuple(compiled.positiontup) if compiled.positional else None
        self.processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                           for name, bind in compiled.binds.items()}
        self._compiled = compiled

    def arguments(self, values: Mapping[str, Any]):
        params = self._compiled.construct_params(dict(values))
        for name, process in self.processors.items():
            if process is not None and params.get(name) is not None:
                params[name] = process(params[name])
        return tuple(params[name] for name in self.positions) if self.positions is not None else params


class CompiledStatement:
    def __init__(self, statement: Executable):
        self._statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _for(self, dialect, values: Mapping[str, Any], dml: bool) -> _Compiled:
        keys = tuple(sorted(values)) if dml else ()
        found = self._compiled.get((dialect.name, keys))
        if found is None:
            found = self._compiled[(dialect.name, keys)] = _Compiled(self._statement, dialect, keys)
        return found

    def all(self, engine: Engine, params: Mapping[str, Any]) -> list[tuple]:
        """A read outside any transaction: the rows as the driver gives them."""
        return self._outside_transaction(engine, self._for(engine.dialect, params, dml=False), params)

    def first_committed(self, engine: Engine, values: Mapping[str, Any]) -> tuple | None:
        """One INSERT/UPDATE that is its own transaction (on PostgreSQL one round trip,
        where BEGIN, the statement and COMMIT take three): the first row it returns."""
        rows = self._outside_transaction(engine, self._for(engine.dialect, values, dml=True), values,
                                         commit=True)
        return tuple(rows[0]) if rows else None

    @staticmethod
    def _outside_transaction(engine: Engine, compiled: _Compiled, values: Mapping[str, Any],
                             commit: bool = False) -> list[tuple]:
        args = compiled.arguments(values)
        pooled = engine.raw_connection()
        dbapi_error = engine.dialect.loaded_dbapi.Error
        try:
            driver = pooled.driver_connection
            autocommit = engine.dialect.name == "postgresql"
            if autocommit:  # psycopg: no BEGIN ... COMMIT/ROLLBACK round trips
                driver.autocommit = True
            cursor = pooled.cursor()
            cursor.execute(compiled.sql, args)
            rows = cursor.fetchall() if cursor.description else []
            cursor.close()
            if commit:
                pooled.commit()  # SQLite's driver opened a transaction; psycopg: nothing to do
            if autocommit:
                driver.autocommit = False
            return rows
        except dbapi_error as error:
            # As SQLAlchemy does on its own paths: a connection that failed is not
            # handed to the next request (it may be lost, or left in autocommit).
            pooled.invalidate(error)
            raise DBAPIError.instance(compiled.sql, args, error, dbapi_error) from error
        finally:
            pooled.close()

    def scalar(self, session: Session, values: Mapping[str, Any]):
        """Run an INSERT/UPDATE with these column values in the session's transaction;
        the first column of the first row it returns, or None."""
        connection = session.connection()
        compiled = self._for(connection.dialect, values, dml=True)
        return connection.exec_driver_sql(compiled.sql, compiled.arguments(values)).scalar()
