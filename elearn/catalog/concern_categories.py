"""content/concern_categories.yaml: what a concern can be about, in the order the
report form offers it, with a name in every interface language. Plain Python; the
loader puts the categories into the Catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import DEFAULT_LOCALE, LOCALES
from .model import locale_fallback
from .yamlfile import ContentError, read_yaml, require

CATEGORY_ID = re.compile(r"^[a-z][a-z_]*$")
#: stored cases keep this id: it stays the last choice of the form
OTHER = "other"
#: the case table's column holds at most this many characters
ID_LENGTH = 32


@dataclass(frozen=True)
class ConcernCategory:
    #: stable: a stored case keeps it, so never reuse an id for another meaning
    id: str
    names: dict[str, str]

    def name(self, locale: str) -> str:
        return self.names[locale_fallback(locale, self.names, DEFAULT_LOCALE)]


def load_categories(path: Path) -> dict[str, ConcernCategory]:
    """id -> category, in the file's order; every interface locale named, "other" last."""
    if not path.exists():
        raise ContentError(path, 1, "missing: the concern form offers the categories this file lists")
    data: Any = read_yaml(path)
    if not isinstance(data, list) or not data:
        raise ContentError(path, 1, "must be a list of categories, each with an id and a name per language")
    categories: dict[str, ConcernCategory] = {}
    for entry in data:
        line = getattr(entry, "line", 1)
        category_id = require(entry, "id", path, str)
        if not CATEGORY_ID.match(category_id) or len(category_id) > ID_LENGTH:
            raise ContentError(path, line, f"'{category_id}': an id is lower case letters and _, at most {ID_LENGTH}")
        if category_id in categories:
            raise ContentError(path, line, f"duplicate id '{category_id}'")
        names = require(entry, "name", path, dict)
        for locale in LOCALES:
            if not str(names.get(locale) or "").strip():
                raise ContentError(path, getattr(names, "line", line), f"'{category_id}': no name in {locale}")
        unknown = set(names) - set(LOCALES)
        if unknown:
            raise ContentError(path, names.line, f"'{category_id}': unknown locales {', '.join(sorted(unknown))}")
        categories[category_id] = ConcernCategory(category_id, {str(k): str(v).strip() for k, v in names.items()})
    if list(categories)[-1] != OTHER:
        raise ContentError(path, 1, f"the last category must be '{OTHER}'")
    return categories
