"""YAML reading that remembers line numbers, so problems can name file and line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[Any, Any]):
    """A mapping that knows the 1-based line it started on."""

    line: int = 0


# libyaml's parser when PyYAML was built with it (the wheels are): parsing the content
# at start-up is several times faster; the pure-Python one gives the same nodes.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    line_offset = 0  #: lines before the parsed text (front matter starts on line 2)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict(loader.construct_pairs(node, deep=True))
    mapping.line = node.start_mark.line + 1 + loader.line_offset
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    #: "error"; "stale" (a stale translation is still served); "warning" (served, and
    #: `content check` does not fail on it)
    kind: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.message}"


class ContentError(Exception):
    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


def parse_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    loader = _Loader(text)
    loader.line_offset = first_line - 1
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + first_line) if mark else first_line
        raise ContentError(path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    return parse_yaml(path.read_text(encoding="utf-8"), path)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Returns (front matter, body, line number where the body starts)."""
    if not text.startswith("---\n"):
        raise ContentError(path, 1, "missing front matter (the file must start with ---)")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ContentError(path, 1, "front matter is not closed by a --- line")
    meta = parse_yaml(text[4 : end + 1], path, first_line=2)
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "front matter must be a mapping")
    body_line = text[: end + 5].count("\n") + 1
    return meta, text[end + 5 :], body_line


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def require(mapping: Any, key: str, path: Path, kind: type[Any] | None = None) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise ContentError(path, getattr(mapping, "line", 1), f"missing '{key}'")
    value = mapping[key]
    if kind is not None and not isinstance(value, kind):
        raise ContentError(path, getattr(mapping, "line", 1), f"'{key}' has the wrong type")
    return value
