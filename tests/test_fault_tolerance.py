"""Two app instances on one PostgreSQL, many learners at once, one instance SIGKILLed
mid-load and restarted: nothing acknowledged is lost or duplicated."""
import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from elearn.concerns.crypto import new_key
from elearn.courses.quizflow import issue_attempt
from elearn.extensions import db
from elearn.models import Completion, ModuleProgress, QuizAttempt

from .conftest import FIXTURE_CONTENT, PASSWORD, Auth, csrf_token, make_app, wipe
from .test_access_log import free_port

ROOT = Path(__file__).resolve().parents[1]
# `make test` runs the small size; `make bench` a larger one with several kills.
LEARNERS = int(os.environ.get("ELEARN_FAULT_LEARNERS", "40"))
KILLS = int(os.environ.get("ELEARN_FAULT_KILLS", "1"))
ATTEMPTS = 4  # quiz submissions per learner (the first wrong, then right)
RIGHT = {"passport": ["b"], "signs": ["a", "c"], "fees": ["false"]}
WRONG = {"passport": ["a"], "signs": ["a"], "fees": ["true"]}


class Instance:
    def __init__(self, env, tmp):
        self.env, self.tmp, self.port, self.proc = env, tmp, free_port(), None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null", "elearn:create_app()"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("instance did not start")

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def post(port, path, body, cookie):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                   "Cookie": cookie})
    return conn.getresponse().status


def test_sigkill_mid_load_loses_and_duplicates_nothing(postgresql_database, tmp_path):
    app = make_app(postgresql_database, tmp_path, ELEARN_LOGIN_LIMIT="100000 per minute")
    instances = []
    try:
        from elearn.auth.passwords import hash_password
        from elearn.models import User
        from elearn.training.assignments import apply_audience_rules
        learners = []
        with app.app_context():
            hashed = hash_password(PASSWORD)
            for i in range(LEARNERS):
                user = User(employee_id=f"f{i}", name=f"Learner {i}", country="AE", hr_locale="en",
                            password_hash=hashed)
                db.session.add(user)
                db.session.flush()
                learners.append(apply_audience_rules(user, app.extensions["elearn_catalog"], 30)[0].id)
            db.session.commit()
            view = app.extensions["elearn_catalog"].courses["demo_course"].view("en", "arab_states")
        work = []  # (learner, kind, path, body, cookie, key)
        for i, assignment_id in enumerate(learners):
            client = app.test_client()
            Auth(client).login(f"f{i}")
            token = csrf_token(client.get("/courses/demo_course/modules/basics").get_data(as_text=True))
            cookie = f"session={client.get_cookie('session').value}"
            steps = []
            for module in ("basics", "signs", "risks"):
                steps.append(("ack", f"/courses/demo_course/modules/{module}/acknowledge",
                              urllib.parse.urlencode({"csrf_token": token}), cookie, (assignment_id, module)))
            for n in range(ATTEMPTS):
                attempt = issue_attempt(app.secret_key, view, assignment_id)
                answers = WRONG if n == 0 else RIGHT
                fields = [("csrf_token", token), ("attempt", attempt.signed)] + \
                         [(f"q-{q}", o) for q, opts in answers.items() for o in opts]
                steps.append(("quiz", "/courses/demo_course/quiz", urllib.parse.urlencode(fields), cookie,
                              attempt.nonce))
            random.shuffle(steps)
            work.append(steps)

        env = {**os.environ, "SECRET_KEY": "test-secret", "DATABASE_URL": postgresql_database,
               "ELEARN_CONTENT_DIR": str(FIXTURE_CONTENT), "ELEARN_INSTANCE_DIR": str(tmp_path),
               "ELEARN_CONCERN_KEYS": new_key()}
        instances = [Instance(env, tmp_path), Instance(env, tmp_path)]
        for instance in instances:
            instance.start()
        acknowledged = {"ack": set(), "quiz": set()}
        failures = []  # requests that died with the killed instance (then retried)
        lock = threading.Lock()

        def run_learner(index):
            for kind, path, body, cookie, key in work[index]:
                for attempt in range(6):  # retry on the other instance, same body: idempotent
                    instance = instances[(index + attempt) % 2]
                    try:
                        status = post(instance.port, path, body, cookie)
                    except OSError:
                        with lock:
                            failures.append(kind)
                        time.sleep(0.2)
                        continue
                    if status == 302:
                        with lock:
                            acknowledged[kind].add(key)
                        break
                    assert status < 500, (kind, status)

        def chaos():  # one instance at a time, so the other always serves the retries
            for n in range(KILLS):
                time.sleep(0.5)
                instances[n % 2].kill()
                time.sleep(0.8)
                instances[n % 2].start()

        killer = threading.Thread(target=chaos)
        killer.start()
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(run_learner, range(LEARNERS)))
        killer.join()
        assert failures, "the kill did not hit the load: make the load longer"
        print(f"{LEARNERS} learners, {KILLS} kills: {sum(len(steps) for steps in work)} requests, "
              f"{len(failures)} failed with a killed instance and were retried")

        with app.app_context():
            tokens = db.session.execute(select(QuizAttempt.token, func.count()).group_by(QuizAttempt.token)).all()
            stored_tokens = {t for t, _ in tokens}
            assert all(n == 1 for _, n in tokens)
            assert acknowledged["quiz"] <= stored_tokens  # every acknowledged submission is stored
            assert len(acknowledged["quiz"]) == LEARNERS * ATTEMPTS  # and every one was acknowledged
            progress = set(db.session.execute(select(ModuleProgress.assignment_id, ModuleProgress.module_id)).all())
            assert acknowledged["ack"] <= {tuple(p) for p in progress}
            per_assignment = db.session.execute(select(Completion.assignment_id, func.count())
                                                .group_by(Completion.assignment_id)).all()
            assert all(n == 1 for _, n in per_assignment)
            assert len(per_assignment) == LEARNERS  # everyone read all modules and passed
            codes = db.session.scalars(select(Completion.certificate_code)).all()
            assert len(codes) == len(set(codes))
    finally:
        for instance in instances:
            if instance.proc and instance.proc.poll() is None:
                instance.kill()
        wipe(app)
