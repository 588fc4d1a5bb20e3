"""One quiz or check question from YAML, with the rules every question must keep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .model import QUESTION_TYPES, TRUE_FALSE_OPTION_IDS, Option, Question, Quiz
from .yamlfile import ContentError


def parse_question(item: Any, path: Path, source: Quiz | None, default_id: str | None = None) -> Question:
    line = getattr(item, "line", 1)
    if not isinstance(item, dict):
        raise ContentError(path, line, "a question must be a mapping")
    if default_id and "id" not in item:
        item = {**item, "id": default_id}
    for key in ("id", "type", "text"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise ContentError(path, line, f"question needs a text '{key}'")
    qid, qtype = item["id"], item["type"]
    if qtype not in QUESTION_TYPES:
        raise ContentError(path, line, f"question '{qid}': type must be one of {', '.join(QUESTION_TYPES)}")
    if qtype == "true_false":
        if not isinstance(item.get("answer"), bool):
            raise ContentError(path, line, f"question '{qid}': a true_false answer is true or false")
        # Option texts come from the interface catalog ("True"/"False" in the learner's language).
        options = tuple(Option(o, o) for o in TRUE_FALSE_OPTION_IDS)
        answer = frozenset({"true" if item["answer"] else "false"})
    else:
        options = _parse_options(item, path, qid, line)
        raw = item.get("answer")
        answer = frozenset(str(a) for a in raw) if isinstance(raw, list) else frozenset()
        if not answer:
            raise ContentError(path, line, f"question '{qid}': answer must list option ids")
        unknown = answer - {o.id for o in options}
        if unknown:
            raise ContentError(
                path, line, f"question '{qid}': answer names unknown option(s) {', '.join(sorted(unknown))}"
            )
        if qtype == "single" and len(answer) != 1:
            raise ContentError(path, line, f"question '{qid}': a single-choice question has one answer")
    question = Question(
        id=qid,
        type=qtype,
        text=item["text"].strip(),
        options=options,
        answer=answer,
        explanation=str(item.get("explanation", "")).strip(),
        module=str(item["module"]) if item.get("module") else None,
        hint=str(item.get("hint", "")).strip(),
    )
    if source is not None:
        _match_source(question, source, path, line)
    return question


def _parse_options(item: Any, path: Path, qid: str, line: int) -> tuple[Option, ...]:
    raw = item.get("options")
    if not isinstance(raw, list) or len(raw) < 2:
        raise ContentError(path, line, f"question '{qid}': needs at least two options")
    options = []
    for opt in raw:
        if not isinstance(opt, dict) or "id" not in opt or not str(opt.get("text", "")).strip():
            raise ContentError(path, getattr(opt, "line", line), f"question '{qid}': each option needs id and text")
        if set(opt) - {"id", "text"}:
            # an unquoted comma in {id: d, text: a, b} makes a key of "b": the text is cut short
            raise ContentError(
                path,
                getattr(opt, "line", line),
                f"question '{qid}': option {opt['id']} has keys other than id and text",
            )
        options.append(Option(str(opt["id"]), str(opt["text"]).strip()))
    ids = [o.id for o in options]
    if len(set(ids)) != len(ids):
        raise ContentError(path, line, f"question '{qid}': option ids repeat")
    return tuple(options)


def _match_source(question: Question, source: Quiz, path: Path, line: int) -> None:
    original = source.question(question.id)
    if original is None:
        raise ContentError(path, line, f"question '{question.id}' is not in the source quiz")
    if original.type != question.type or [o.id for o in original.options] != [o.id for o in question.options]:
        raise ContentError(path, line, f"question '{question.id}': type or option ids differ from the source")
    if original.answer != question.answer:
        raise ContentError(path, line, f"question '{question.id}': answer differs from the source")
    if original.module != question.module:
        raise ContentError(path, line, f"question '{question.id}': module differs from the source")
    if bool(original.hint) != bool(question.hint):
        raise ContentError(
            path, line, f"question '{question.id}': the source has a hint and this has not, or the reverse"
        )


def same_check(translated: Question | None, source: Question | None) -> bool:
    if source is None:
        return translated is None
    return (
        translated is not None
        and translated.type == source.type
        and [o.id for o in translated.options] == [o.id for o in source.options]
        and translated.answer == source.answer
    )
