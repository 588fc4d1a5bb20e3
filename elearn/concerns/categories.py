"""The concern categories of the catalog (content/concern_categories.yaml) in the
reader's language: the report form, the case queue and pages, the status page."""

from __future__ import annotations

from ..web import current_locale, get_catalog


def category_choices() -> list[tuple[str, str]]:
    """(id, name) in the file's order: what a new report may be about."""
    locale = current_locale()
    return [(c.id, c.name(locale)) for c in get_catalog().concern_categories.values()]


def category_name(category_id: str) -> str:
    """The stored case's category by name; an id the file no longer lists shows as itself."""
    category = get_catalog().concern_categories.get(category_id)
    return category.name(current_locale()) if category is not None else category_id
