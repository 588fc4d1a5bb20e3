"""The region of a country is decided in one place (Catalog.region_for, from
content/regions.yaml): no other code names a region, so none can re-implement the map."""

import re
from pathlib import Path

import yaml

from elearn.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]


def region_ids() -> set[str]:
    data = yaml.safe_load((ROOT / "content" / "regions.yaml").read_text(encoding="utf-8"))
    return set(data["regions"]) | set(data["countries"].values())


def test_one_locale_fallback():
    """The content locale rule (locale -> its language -> the default) is written once:
    no code outside it splits a locale into its language."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "elearn").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if 'split("_")' in line and path.name != "model.py"
    ]
    assert offenders == []


def test_no_region_id_outside_the_catalog_and_content():
    literal = re.compile(r"""["'](""" + "|".join(sorted(region_ids())) + r""")["']""")
    offenders = []
    for path in sorted((ROOT / "elearn").rglob("*")):
        if path.suffix not in (".py", ".html", ".js") or "catalog" in path.relative_to(ROOT / "elearn").parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if literal.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_region_names_and_lookup_come_from_the_content():
    catalog = load_catalog(ROOT / "content")
    assert catalog.region_for("ae") == "arab_states" and catalog.region_for(None) == catalog.default_region
    assert catalog.region_for("XK") == catalog.default_region  # unmapped: the default region
    assert set(catalog.regions.values()) <= set(catalog.region_ids)
    for region in catalog.region_ids:
        assert catalog.region_name(region, "en") != region
        # every interface language names every region itself ("Oceania" is also Portuguese)
        assert set(catalog.region_names[region]) == {"en", "es", "fr", "pt", "ar", "hi", "zh_Hans"}, region
        for locale in ("ar", "hi", "zh_Hans"):
            assert catalog.region_name(region, locale) != catalog.region_name(region, "en"), (region, locale)
    assert catalog.region_name("arab_states", "es_MX") == catalog.region_name("arab_states", "es")
    assert catalog.region_name("arab_states", "de") == catalog.region_name("arab_states", "en")
    assert "AE" in catalog.countries_in({"arab_states"}) and "US" not in catalog.countries_in({"arab_states"})
