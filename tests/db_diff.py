"""Every table's rows before and after a request, and what changed: the tests that say
"this changed nothing" or "this wrote only that" compare two snapshots."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from elearn.extensions import db


def snapshot(app) -> dict[str, dict[tuple, dict]]:
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            key = list(table.primary_key.columns)
            rows = db.session.execute(select(table).order_by(*key)).mappings()
            tables[table.name] = {tuple(row[c.name] for c in key): dict(row) for row in rows}
        return tables


@dataclass
class TableDiff:
    added: list[dict]
    removed: list[dict]
    changed: list[tuple[dict, dict]]


def difference(before, after) -> dict[str, TableDiff]:
    diff = {}
    for name, rows in after.items():
        old = before[name]
        d = TableDiff(
            [rows[k] for k in sorted(rows.keys() - old.keys())],
            [old[k] for k in sorted(old.keys() - rows.keys())],
            [(old[k], rows[k]) for k in sorted(rows.keys() & old.keys()) if old[k] != rows[k]],
        )
        if d.added or d.removed or d.changed:
            diff[name] = d
    return diff


def changed_columns(before: dict, after: dict) -> set[str]:
    return {name for name in after if before[name] != after[name]}


@dataclass
class Change:
    """One 2xx/3xx answer: what was posted and what it changed."""

    app: object
    ctx: dict  #: the world, plus what the entry's setup made for this example
    path: dict  #: the URL's arguments as posted
    payload: dict
    diff: dict[str, TableDiff]
    before: dict
    after: dict

    def only(self, *tables):
        assert set(self.diff) <= set(tables), f"unexpected writes to {sorted(set(self.diff) - set(tables))}"

    def table(self, name) -> TableDiff:
        return self.diff.get(name, TableDiff([], [], []))

    def one_added(self, name) -> dict:
        d = self.table(name)
        assert len(d.added) == 1 and not d.removed and not d.changed, (name, d)
        return d.added[0]

    def first(self, name) -> str | None:
        """What request.form.get and a WTForms text field read: the first value."""
        value = self.payload.get(name)
        if isinstance(value, list):
            return value[0] if value else None
        return value

    def all(self, name) -> list[str]:
        value = self.payload.get(name)
        return [] if value is None else value if isinstance(value, list) else [value]

    def flag(self, name) -> bool:
        """A WTForms BooleanField: absent, "" and "false" are False."""
        return self.first(name) not in (None, "", "false")

    def decrypt(self, token):
        return self.app.extensions["elearn_concern_cipher"].decrypt(token)
