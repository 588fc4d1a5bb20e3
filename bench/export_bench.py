"""`make bench`, part two: 100,000 users from an HR CSV, 200,000 completions, and the
completion report exported as CSV, timed against PostgreSQL's own COPY of the same rows,
with the exporting process's peak memory at 20,000 and 200,000 rows; then the exports for
people (CSV for Excel, XLSX) of the same rows, timed against the CSV."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import throwaway_database

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-results"
USERS = int(os.environ.get("BENCH_USERS", "100000"))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with throwaway_database("elearn-export") as (url, work, env):
        # the bench admin signs in with a password alone (else every export is a redirect to
        # the second-factor page)
        env["ELEARN_REQUIRE_SECOND_FACTOR"] = "off"
        # the writers themselves are timed: in the app a report this large is a background task
        env["ELEARN_EXPORT_INLINE_ROWS"] = str(10**9)
        results = run(env, url, work)
    (OUT / "export.json").write_text(json.dumps(results, indent=2))
    print(f"\nimport {USERS} users: {results['import_seconds']} s ({results['import_rows_per_s']} rows/s)")
    for size in ("20000", "200000"):
        r = results[size]
        print(
            f"export {r['rows']:>6} rows: app CSV {r['export_seconds']:.2f} s, COPY {r['copy_seconds']:.2f} s, "
            f"ratio {r['ratio']:.2f} (target <= 3); peak RSS {r['peak_rss_mb']:.0f} MB "
            f"(+{r['peak_rss_growth_mb']:.1f} MB during the export)"
        )
        for kind in ("excel_csv", "xlsx"):
            p = r[kind]
            print(
                f"export {r['rows']:>6} rows: {PEOPLE_EXPORTS[kind][1]} {p['seconds']:.2f} s, "
                f"ratio to the CSV {p['ratio_to_csv']:.2f}; peak RSS {p['peak_rss_mb']:.0f} MB "
                f"(+{p['peak_rss_growth_mb']:.1f} MB during the export)"
            )
    growth = results["200000"]["peak_rss_growth_mb"] - results["20000"]["peak_rss_growth_mb"]
    print(f"peak memory growth between 20k and 200k rows: {growth:.1f} MB (target < 50 MB)")


def run(env: dict, url: str, work: Path) -> dict:
    import psycopg

    elearn = [sys.executable, "-m", "elearn.command"]
    subprocess.run(elearn + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    feed = work / "hr.csv"
    with feed.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee_id", "name", "email", "department", "country", "locale", "roles", "manager_email"])
        countries = ["AE", "US", "MX", "IN", "DE", "MY", "KE", "CN", "BR", "QA"]
        for i in range(USERS):
            # Every user is in sourcing so both courses are assigned: 2 x USERS assignments.
            writer.writerow([f"E{i:06d}", f"Person {i}", "", "Sourcing", countries[i % 10], "en", "learner", ""])
    started = time.perf_counter()
    subprocess.run(elearn + ["users", "import", str(feed)], cwd=ROOT, env=env, check=True, capture_output=True)
    import_seconds = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        # 200,000 completions: one per assignment, generated in the database.
        conn.execute("""INSERT INTO completions (assignment_id, user_id, course_id, course_version, locale, region,
                        score, completed_at, expires_at, certificate_code)
                        SELECT a.id, a.user_id, a.course_id, '1.0.0', 'en', 'global', 90,
                               now() - interval '10 days', now() + interval '300 days', 'C' || a.id
                        FROM assignments a""")
        count = conn.execute("SELECT count(*) FROM completions").fetchone()[0]
        conn.execute("UPDATE users SET department = 'Warehouse' WHERE id % 10 <> 0")  # 10%: 20k rows
        conn.execute("ANALYZE")
    results = {
        "users": USERS,
        "completions": count,
        "import_seconds": round(import_seconds, 1),
        "import_rows_per_s": int(USERS / import_seconds),
    }
    for size, department in (("20000", "Sourcing"), ("200000", None)):
        results[size] = measure_export(env, url, department)
    return results


EXPORT = r"""
import os, sys, time, re
from elearn import create_app
app = create_app()
from elearn.extensions import db
from elearn.models import User
from elearn.auth.passwords import hash_password
with app.app_context():
    if db.session.query(User).filter_by(employee_id="bench-admin").first() is None:
        db.session.add(User(employee_id="bench-admin", name="Admin", roles="admin",
                            password_hash=hash_password("bench-pass-1")))
        db.session.commit()
client = app.test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
client.post("/login", data={"csrf_token": token, "login": "bench-admin", "password": "bench-pass-1"})
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
path, query = sys.argv[1], sys.argv[2]
client.get(path + "?department=__none__").get_data()  # warm up
before = hwm()
started = time.perf_counter()
response = client.get(path + query, buffered=False)
assert response.status_code == 200, (path, response.status_code, response.headers.get("Location"))
rows = sum(chunk.count(b"\n") for chunk in response.response) - 1  # (XLSX: not rows, unused)
response.close()
print(rows, time.perf_counter() - started, hwm() - before, hwm())
"""


def report_sql(env: dict, department: str | None) -> tuple[str, dict]:
    """The report's own query (status rule included), for COPY: the same rows, by the database."""
    os.environ.update(env)
    from elearn import create_app
    from elearn.admin.reports import ReportFilters, report_query
    from elearn.models import User

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)}
    )
    with app.app_context():
        catalog = app.extensions["elearn_catalog"]
        query = report_query(ReportFilters(department=department), catalog)
        query = query.order_by(User.employee_id, query.selected_columns.course_id)
        from elearn.extensions import db

        compiled = query.compile(dialect=db.engine.dialect)
        params = {
            k: (v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v) for k, v in compiled.params.items()
        }
        return str(compiled), params


def measure_export(env: dict, url: str, department: str | None) -> dict:
    import psycopg

    query = f"?department={department}" if department else ""
    rows, seconds, growth, peak = export_once(env, "/admin/reports.csv", query)
    sql, params = report_sql(env, department)
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        size = 0
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV HEADER", params) as copy:
            for data in copy:
                size += len(data)
    copy_seconds = time.perf_counter() - started
    results = {
        "rows": rows,
        "export_seconds": round(seconds, 3),
        "copy_seconds": round(copy_seconds, 3),
        "ratio": round(seconds / copy_seconds, 2),
        "peak_rss_growth_mb": round(growth, 1),
        "peak_rss_mb": round(peak, 1),
    }
    for kind, (path, _label) in PEOPLE_EXPORTS.items():
        _rows, people_seconds, growth, peak = export_once(env, path, query)
        results[kind] = {
            "seconds": round(people_seconds, 3),
            "ratio_to_csv": round(people_seconds / seconds, 2),
            "peak_rss_growth_mb": round(growth, 1),
            "peak_rss_mb": round(peak, 1),
        }
    return results


#: the exports for people, timed against the machine CSV of the same rows: kind -> (path, label)
PEOPLE_EXPORTS = {
    "excel_csv": ("/admin/reports-for-excel.csv", "CSV for Excel"),
    "xlsx": ("/admin/reports.xlsx", "XLSX"),
}


def export_once(env: dict, path: str, query: str) -> tuple[int, float, float, float]:
    """One export in a fresh process: (rows, seconds, peak RSS growth MB, peak RSS MB)."""
    out = subprocess.run(
        [sys.executable, "-c", EXPORT, path, query], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]), float(out[3])


if __name__ == "__main__":
    main()
