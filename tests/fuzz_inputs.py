"""What the form fuzz test (test_form_fuzz.py) posts: text, choices, CSV uploads,
and the fields read from each page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import strategies as st

#: every rate limit out of the way: one test client posts hundreds of times
LIMITS = {
    "ELEARN_LOGIN_LIMIT": "100000 per minute",
    "ELEARN_LOGIN_ADDRESS_LIMIT": "100000 per minute",
    "ELEARN_INTAKE_LIMIT": "100000 per minute",
    "ELEARN_STATUS_LIMIT": "100000 per minute",
    "ELEARN_SUPPLIER_PAGE_LIMIT": "100000 per minute",
    "ELEARN_SUPPLIER_QUIZ_LIMIT": "100000 per minute",
}
#: an LRS that refuses at once (the xAPI task form is shown only with one), and a low
#: threshold so that CSV uploads also take the background-import path
APP_CONFIG = {
    **LIMITS,
    "ELEARN_SUPPLIER_COURSE": "demo_course",
    "ELEARN_LRS_ENDPOINT": "http://127.0.0.1:9/xapi",
    "ELEARN_IMPORT_SYNC_ROWS": 8,
}

# --- values ---------------------------------------------------------------------------

SPECIAL = [
    "\U0001f600",
    "\U0001f469\u200d\U0001f4bb",
    "\U0010ffff",
    "\U00020000",
    "\u0301",
    "\u0308",
    "\u200f",
    "\u200e",
    "\u202e",
    "\u2066",
    "\u061c",
    "\ufeff",
    "\u200b",
    "\u2028",
    "\u00a0",
    "\u3000",
    "\r\n",
    "\n",
    "\r",
    "\t",
    " ",
    "\x1b",
    "\x7f",
    "\x85",
    "\ufffd",
    "\uffff",
    "İ",
    "ß",
    "ﬃ",
    "Σ",
    "'",
    '"',
    "<script>",
    "&amp;",
    ",",
    ";",
    "=",
    "%",
    "%00",
    "\\",
    "/",
    "//",
    "=cmd|' /C calc'!A0",
    "@",
]
#: NUL is left out here and put in on purpose (with_nul): the input guard refuses a
#: whole request that holds one, and every field may hold one
CHARACTERS = {"codec": "utf-8", "exclude_characters": "\x00"}
ATOM = st.one_of(
    st.sampled_from(SPECIAL),
    st.characters(**CHARACTERS),
    st.characters(min_codepoint=0x10000, **CHARACTERS),
    st.characters(categories=["Mn", "Me", "Cf", "Cc", "Zs", "Zl", "Zp"], **CHARACTERS),
)
SHORT = st.lists(ATOM, max_size=24).map("".join)
#: the column and validator limits (64, 120, 200, 254, 2000...) and either side of them
LENGTHS = st.one_of(
    st.sampled_from(
        [63, 64, 65, 100, 101, 119, 120, 121, 199, 200, 201, 253, 254, 255, 300, 301, 1024, 1025, 2000, 2001, 5000]
    ),
    st.integers(60, 5000),
)
LONG = st.builds(
    lambda unit, n: (unit * n)[:n], st.lists(ATOM, min_size=1, max_size=3).map("".join).filter(bool), LENGTHS
)
TEXT = st.one_of(SHORT, SHORT, LONG)
#: what a person might type: arbitrary, but never blank, and mostly short
TYPED = st.one_of(SHORT, SHORT, SHORT, SHORT, SHORT, LONG).filter(str.strip)


def with_nul(text: str, at: int) -> str:
    return text[:at] + "\x00" + text[at:]


#: select and checkbox values no page offers
NEVER = st.sampled_from(["superuser", "root", "", " ", "0", "null", "\u202eadmin", "learner\x00", "global "])
# Likely values are valid ones, mostly: arbitrary text covers the rest.
EMPLOYEE_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,40}\n?", fullmatch=True)
EMAILS = st.one_of(st.emails(), st.sampled_from(["", "Ünïcødé@例え.jp", "UPPER@EXAMPLE.COM", " padded@example.com"]))
DATES = st.dates().map(lambda d: d.isoformat())


@dataclass(frozen=True)
class Upload:
    body: bytes
    filename: str


@st.composite
def csv_uploads(draw, plausible: bool):
    """An HR feed with arbitrary text in plausible columns; unless plausible, also NUL,
    wrong column counts and headers, broken quoting, fields over csv's limit, other
    encodings, arbitrary file names."""
    cell = TEXT if plausible else st.one_of(TEXT, TEXT, st.builds(with_nul, TEXT, st.integers(0, 5000)))
    columns = {
        "employee_id": st.one_of(EMPLOYEE_IDS, st.sampled_from(["learner", "target", "imported", " target "]), cell),
        "name": cell,
        "email": st.one_of(st.just(""), EMAILS, cell),
        "department": st.one_of(st.sampled_from(["Construction", "Sourcing", ""]), cell),
        "country": st.one_of(st.sampled_from(["AE", "us", "KE", "JO", "XX", ""]), cell),
        "locale": st.one_of(st.sampled_from(["en", "hi", "ar", "es-MX", "zh-TW", "", "xx"]), cell),
        "roles": st.one_of(
            st.sampled_from(["", "learner", "admin learner", "case_handler", "superuser", "learner;admin"]), cell
        ),
        "manager_email": st.one_of(st.just(""), EMAILS, cell),
    }
    header = (
        list(columns)
        if plausible
        else draw(
            st.one_of(st.just(list(columns)), st.just([c.upper() + " " for c in columns]), st.lists(cell, max_size=9))
        )
    )
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = [draw(strategy) for strategy in columns.values()]
        if not plausible and draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, 9))] + draw(st.lists(cell, max_size=2))
        if not plausible and row and draw(st.integers(0, 9)) == 0:
            row[draw(st.integers(0, len(row) - 1))] = "x" * draw(st.sampled_from([131072, 131073, 300000]))
        rows.append(row)
    buffer = io.StringIO()
    if plausible or draw(st.booleans()):
        csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([header, *rows])
    else:  # no quoting at all: commas, quotes and newlines in cells break the rows
        buffer.write("".join(",".join(row) + "\n" for row in [header, *rows]))
    text = draw(st.sampled_from(["", "\ufeff"])) + buffer.getvalue()
    if plausible:
        return Upload(text.encode(), "hr.csv")
    body = draw(
        st.one_of(
            st.just(text.encode()), st.just(text.encode("utf-16")), st.binary(max_size=200), st.just(text.encode()[:-1])
        )
    )
    return Upload(body, draw(st.one_of(st.just("hr.csv"), TEXT, st.builds(with_nul, TEXT, st.integers(0, 5000)))))


PATH_VALUES = {
    "course_id": lambda w: st.one_of(st.just("missing_course"), TEXT),
    "module_id": lambda w: st.one_of(st.sampled_from(sorted(w["module_ids"])), st.just("quiz"), TEXT),
    **{
        name: lambda w: st.sampled_from([0, 999_999, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30])
        for name in ("case_id", "token_id", "user_id")
    },
}

# --- the forms on a page --------------------------------------------------------------


@dataclass
class Field:
    kind: str  #: text, hidden, password, checkbox, radio, file, select, textarea...
    values: list[str] = field(default_factory=list)  #: offered (checkbox, radio, option)
    multiple: bool = False


class FormParser(HTMLParser):
    """The POST forms of a page: action -> {field name: Field}."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: dict[str, dict[str, Field]] = {}
        self.fields: dict[str, Field] | None = None
        self.select: Field | None = None
        self.option: list[str] | None = None  #: the text of an <option> without a value

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.fields = {} if a.get("method", "get").lower() == "post" else None
            if self.fields is not None:
                self.forms.setdefault(urlsplit(a.get("action") or self.page_path).path, self.fields)
        elif self.fields is None or not (a.get("name") or tag == "option"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            entry = self.fields.setdefault(a["name"], Field(kind))
            default = "on" if kind in ("checkbox", "radio") else ""
            entry.values.append(a.get("value", default))
            entry.multiple = entry.multiple or len(entry.values) > 1
        elif tag == "textarea":
            self.fields[a["name"]] = Field("textarea")
        elif tag == "select":
            self.select = self.fields.setdefault(a["name"], Field("select", multiple="multiple" in a))
        elif tag == "option" and self.select is not None:
            if "value" in a:
                self.select.values.append(a["value"])
            else:
                self.option = []

    def handle_data(self, data):
        if self.option is not None:
            self.option.append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            self.select.values.append("".join(self.option).strip())
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.fields = None


def form_on_page(html: str, page_path: str, action: str) -> dict[str, Field]:
    parser = FormParser(page_path)
    parser.feed(html)
    assert action in parser.forms, f"no form posting to {action} on {page_path}: {sorted(parser.forms)}"
    return parser.forms[action]


ABSENT = object()


def field_values(f: Field, name: str, plausible: bool) -> st.SearchStrategy:
    """Plausible: the values the page offers (arbitrary text in text fields). Otherwise
    also values never offered, several values for one choice, any text in hidden fields."""
    if name.endswith("csrf_token"):
        return st.just(f.values[0])
    if f.kind == "file":
        return csv_uploads(plausible)
    # sorted: the quiz shuffles its options on every page, and the draws must not depend on it
    offered = st.sampled_from(sorted(f.values)) if f.values else NEVER
    single = f.kind in ("radio", "select") or not f.multiple
    if plausible:
        if f.kind == "hidden":
            return st.just(f.values[0])
        if f.kind == "checkbox" and single:
            return st.sampled_from([f.values[0], ABSENT])
        if f.kind in ("checkbox", "radio", "select"):
            return offered if single else st.lists(offered, unique=True)
        return TYPED
    if f.kind == "hidden":
        return st.one_of(st.just(f.values[0]), TEXT)
    if f.kind == "checkbox" and single:
        return st.one_of(offered, st.sampled_from(["false", "", "y", "n", "on"]), TEXT)
    if f.kind in ("checkbox", "radio", "select"):
        several = st.lists(st.one_of(offered, NEVER, TEXT), min_size=1, max_size=4)
        return (
            st.one_of(offered, NEVER, TEXT, several)
            if single
            else st.one_of(st.lists(offered, unique=True, min_size=1), several)
        )
    return TEXT


def draw_payload(data, fields: dict[str, Field], likely: dict[str, st.SearchStrategy], plausible: bool) -> dict:
    """Every field of the form and the handler's own fields that no page shows. Unless
    plausible: a field left out now and then, a field nobody asked for, or a NUL.
    likely: values that make the form valid now and then (only those when plausible)."""
    payload = {}
    for name in sorted({*fields, *likely}):  # sorted: the quiz shuffles its questions
        strategy = field_values(fields[name], name, plausible) if name in fields else TEXT
        if name in likely:
            strategy = likely[name] if plausible else st.one_of(likely[name], strategy)
        if plausible or name.endswith("csrf_token") or data.draw(st.integers(0, 9), label=f"{name} present?"):
            payload[name] = data.draw(strategy, label=name)
    payload = {name: value for name, value in payload.items() if value is not ABSENT and value != []}
    if not plausible:
        for name, value in data.draw(st.dictionaries(TEXT, TEXT, max_size=2), label="extra fields").items():
            payload.setdefault(name, value)
        texts = sorted(
            name for name, value in payload.items() if isinstance(value, str) and not name.endswith("csrf_token")
        )
        if texts and data.draw(st.integers(0, 4), label="NUL?") == 0:
            name = data.draw(st.sampled_from(texts), label="NUL in")
            # a position past the end puts it last (not a bound from the value: a hidden
            # field's length changes from page to page, and the draws must not)
            payload[name] = with_nul(payload[name], data.draw(st.integers(0, 5000), label="at"))
    return payload


def encoded(payload: dict) -> dict:
    return {
        name: (io.BytesIO(value.body), value.filename) if isinstance(value, Upload) else value
        for name, value in payload.items()
    }


def shown(payload: dict) -> str:
    """The payload for a failure message, long values shortened."""

    def short(value):
        if isinstance(value, list):
            return [short(v) for v in value]
        if isinstance(value, Upload):
            return f"<file {short(value.filename)}: {len(value.body)} bytes {value.body[:80]!r}>"
        return value if len(value) <= 80 else f"{value[:60]!r}...({len(value)} chars)"

    return repr({short(name): short(value) for name, value in payload.items()})


# --- every table, before and after ------------------------------------------------------
# Nothing changes on every request here: rate limits are counted in memory, and task
# rows are written only by the task and import forms, whose checks account for them.
