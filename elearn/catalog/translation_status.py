"""Translation status per course and locale, for `elearn content status`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .loader import load_catalog


@dataclass(frozen=True)
class LocaleStatus:
    course: str
    locale: str
    modules: str  #: "present/expected"
    regional: str
    quiz: str
    missing: int
    stale: int


def translation_status(root: Path) -> list[LocaleStatus]:
    catalog = load_catalog(root)
    rows = []
    for course_dir in sorted(p.parent for p in Path(root).glob("*/course.yaml")):
        course = catalog.courses.get(course_dir.name)
        if course is None:
            continue
        default = course.default_locale
        sources = sorted(p.name for p in (course_dir / default).glob("*.md"))
        region_sources = (
            sorted((r.name, p.name) for r in (course_dir / "regions").glob("*") for p in (r / default).glob("*.md"))
            if (course_dir / "regions").is_dir()
            else []
        )
        for locale in course.locales:
            have = [course_dir / locale / name for name in sources]
            regional = [course_dir / "regions" / r / locale / name for r, name in region_sources]
            quiz = course_dir / locale / "quiz.yaml"
            files = have + regional + [quiz]
            missing = sum(not f.exists() for f in files)
            stale_paths = {str(p.path) for p in catalog.stale}
            stale = sum(str(f) in stale_paths for f in files)
            rows.append(
                LocaleStatus(
                    course.id,
                    locale,
                    f"{sum(f.exists() for f in have)}/{len(have)}",
                    f"{sum(f.exists() for f in regional)}/{len(regional)}",
                    "yes" if quiz.exists() else "no",
                    missing,
                    stale,
                )
            )
    return rows
