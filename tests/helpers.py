"""Small helpers for driving the pages over HTTP."""

import io
import re

from .conftest import csrf_token

ANSWERS = {"passport": ["b"], "signs": ["a", "c"], "fees": ["false"]}
WRONG = {"passport": ["a"], "signs": ["a"], "fees": ["true"]}


def quiz_form(client, course="demo_course"):
    page = client.get(f"/courses/{course}/quiz")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="([^"]+)"', html).group(1)
    return html, {"csrf_token": csrf_token(html), "attempt": attempt}


def shown_question_ids(html):
    """The questions this attempt shows (a course may draw a few from its pool)."""
    return list(dict.fromkeys(re.findall(r'name="q-([^"]+)"', html)))


def submit(client, answers, course="demo_course", form=None):
    if form is None:
        _, form = quiz_form(client, course)
    data = dict(form)
    data.update({f"q-{qid}": chosen for qid, chosen in answers.items()})
    return client.post(f"/courses/{course}/quiz", data=data)


def acknowledge_all(client, module_ids, course="demo_course"):
    for module_id in module_ids:
        page = client.get(f"/courses/{course}/modules/{module_id}")
        assert page.status_code == 200
        response = client.post(
            f"/courses/{course}/modules/{module_id}/acknowledge", data=confirm_form(page.get_data(as_text=True))
        )
        assert response.status_code == 302


def confirm_form(html):
    """The fields of a page's confirmation form: its token and, where the course has a
    statement, the hash of the statement text the page shows."""
    form = {"csrf_token": csrf_token(html)}
    statement = re.search(r'name="statement" value="([0-9a-f]{64})"', html)
    if statement:
        form["statement"] = statement.group(1)
    return form


def upload_csv(client, text, valid_only=False, lang="en", filename="hr.csv"):
    """The admin's HR import page: post a CSV file as a person would."""
    page = client.get("/admin/users/import")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "file": (io.BytesIO(text.encode()), filename)}
    if valid_only:
        data["valid_only"] = "y"
    return client.post(
        "/admin/users/import", data=data, content_type="multipart/form-data", headers={"Accept-Language": lang}
    )


def completion_of(assignment, **fields):
    """A Completion row of this assignment (an ORM Assignment) as the course path would
    write it, for tests that need one without walking the course; `fields` override."""
    from elearn.models import Completion, utcnow

    values = {
        "assignment_id": assignment.id,
        "user_id": assignment.user_id,
        "course_id": assignment.course_id,
        "course_version": "1.0.0",
        "locale": "en",
        "region": "arab_states",
        "score": 100,
        "completed_at": utcnow(),
        "certificate_code": "AAAA-BBBB-CCCC-DDDD",
        **fields,
    }
    return Completion(**values)
