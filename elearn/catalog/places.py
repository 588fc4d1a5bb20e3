"""The files about places: content/regions.yaml (the region map), helplines.yaml and
emergency.yaml. Plain Python; the loader puts what they hold into the Catalog."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .model import DEFAULT_REGION, EMERGENCY_SERVICES, EmergencyNumber, Helpline
from .yamlfile import ContentError, read_yaml, require

REGION_ID = re.compile(r"^[a-z][a-z_]*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


def load_regions(path: Path) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """`regions`: region id -> {locale: name} (the default region among them);
    `countries`: ISO code -> region id."""
    if not path.exists():
        return {}, {}
    data = read_yaml(path) or {}
    names = require(data, "regions", path, dict)
    for region, by_locale in names.items():
        if not REGION_ID.match(str(region)) or not isinstance(by_locale, dict) or "en" not in by_locale:
            raise ContentError(path, names.line, f"region '{region}' needs an id in lower case and an 'en' name")
    if DEFAULT_REGION not in names:
        raise ContentError(path, names.line, f"the region '{DEFAULT_REGION}' (unmapped countries) is missing")
    countries = require(data, "countries", path, dict)
    for code, region in countries.items():
        if not COUNTRY.match(str(code)):
            raise ContentError(path, countries.line, f"'{code}' is not an ISO 3166-1 alpha-2 code")
        if region not in names:
            raise ContentError(path, countries.line, f"{code}: unknown region '{region}'")
    region_names = {region: {str(k): str(v) for k, v in by_locale.items()} for region, by_locale in names.items()}
    return region_names, {str(code): str(region) for code, region in countries.items()}


def load_helplines(path: Path) -> dict[str, tuple[Helpline, ...]]:
    if not path.exists():
        return {}
    data: Any = read_yaml(path) or {}
    result: dict[str, tuple[Helpline, ...]] = {}
    for code, entries in data.items():
        if not COUNTRY.match(str(code)) or not isinstance(entries, list):
            raise ContentError(path, data.line, f"'{code}' must be a country code with a list")
        lines = []
        for entry in entries:
            for key in ("name", "source", "confidence"):
                require(entry, key, path, str)
            if entry["confidence"] not in ("official", "secondary"):
                raise ContentError(path, entry.line, "confidence must be official or secondary")
            known = Helpline.__dataclass_fields__
            unknown = set(entry) - set(known)
            if unknown:
                raise ContentError(path, entry.line, f"unknown keys: {', '.join(sorted(unknown))}")
            fields: dict[str, Any] = {k: (str(v) if k != "anonymous" else bool(v)) for k, v in entry.items()}
            lines.append(Helpline(**fields))
        result[code] = tuple(lines)
    return result


def load_emergency(path: Path) -> tuple[dict[str, tuple[EmergencyNumber, ...]], set[str]]:
    """country -> [{number, service, source}] (every number with the page that states it),
    and the countries whose workers are also advised to call their embassy or consulate.
    A country is a list of numbers, or {numbers: [...], embassy_advice: true}."""
    if not path.exists():
        return {}, set()
    data: Any = read_yaml(path) or {}
    result: dict[str, tuple[EmergencyNumber, ...]] = {}
    embassy_advice: set[str] = set()
    for code, entries in data.items():
        if isinstance(entries, dict):
            entries = _country_options(path, code, entries, embassy_advice)
        if not COUNTRY.match(str(code)) or not isinstance(entries, list) or not (entries or code in embassy_advice):
            raise ContentError(path, data.line, f"'{code}' must be a country code with a list of numbers")
        numbers = []
        for entry in entries:
            line = getattr(entry, "line", data.line)
            for key in ("number", "service", "source"):
                require(entry, key, path, str)
            if set(entry) - {"number", "service", "source"}:
                raise ContentError(
                    path,
                    line,
                    f"{code}: unknown keys: {', '.join(sorted(set(entry) - {'number', 'service', 'source'}))}",
                )
            if entry["service"] not in EMERGENCY_SERVICES:
                raise ContentError(path, line, f"{code}: service must be one of {', '.join(EMERGENCY_SERVICES)}")
            if not re.fullmatch(r"[0-9][0-9 -]*", entry["number"]):
                raise ContentError(path, line, f"{code}: '{entry['number']}' is not a phone number")
            if not entry["source"].startswith("https://"):
                raise ContentError(path, line, f"{code}: the source must be an https:// address")
            numbers.append(EmergencyNumber(entry["number"], entry["service"], entry["source"]))
        if numbers:
            result[str(code)] = tuple(numbers)
    return result, embassy_advice


def _country_options(path: Path, code: str, options: Any, embassy_advice: set[str]) -> Any:
    """The mapping form of a country: its numbers (optional) and `embassy_advice`."""
    unknown = set(options) - {"numbers", "embassy_advice"}
    if unknown:
        raise ContentError(path, options.line, f"{code}: unknown keys: {', '.join(sorted(unknown))}")
    if not isinstance(options.get("embassy_advice", False), bool):
        raise ContentError(path, options.line, f"{code}: embassy_advice is true or false")
    if options.get("embassy_advice"):
        embassy_advice.add(str(code))
    return options.get("numbers", [])
