"""Two app instances on one PostgreSQL, many learners at once, one instance SIGKILLed
mid-load and restarted: nothing acknowledged is lost or duplicated.

Nothing here waits for time. The learners are split into KILLS + 1 blocks; block n + 1
starts only after kill n, and kill n comes once half of block n's requests have been
answered and while a request to the instance is in flight (or, if none is left, when
the learners begun so far are done). The instance is restarted once a request has
failed on it. So every kill lands inside the load, the learners still to come send
requests to the dead instance, and the test proves the same thing on a fast machine
and on a busy one."""

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
THREADS = 16  # learners at once
RIGHT = {"passport": ["b"], "signs": ["a", "c"], "fees": ["false"]}
WRONG = {"passport": ["a"], "signs": ["a"], "fees": ["true"]}


class Instance:
    def __init__(self, env, tmp):
        self.env, self.tmp, self.port, self.proc = env, tmp, free_port(), None

    def start(self, within: float = 120.0):
        """Returns once /healthz answers; the generous limit only stops a broken start
        from hanging the run, it is not what the test waits for."""
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                "elearn:create_app()",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"instance exited with {self.proc.returncode} while starting")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"instance did not answer /healthz within {within} s")

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def post(port, path, body, cookie):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    )
    return conn.getresponse().status


class Load:
    """What the learners' threads have done, counted under one condition variable: the
    killer and the gated learners wait for these counts, never for time."""

    def __init__(self):
        self.changed = threading.Condition()
        self.answered = 0  # responses received, any status, either instance
        self.in_flight = [0, 0]  # requests sent to each instance, not yet answered or failed
        self.failed = [0, 0]  # requests refused or cut off on each instance
        self.started = self.finished = 0  # learners
        self.kills = 0
        self.done = False  # the load is over (or a learner failed): every wait ends

    def begin(self, block):
        """Block until the learner's block may start: block n + 1 after kill n."""
        with self.changed:
            self.changed.wait_for(lambda: self.done or self.kills >= block)
            self.started += 1
            return not self.done

    def end(self):
        with self.changed:
            self.finished += 1
            self.changed.notify_all()

    def sending(self, instance):
        with self.changed:
            self.in_flight[instance] += 1

    def answer(self, instance):
        with self.changed:
            self.in_flight[instance] -= 1
            self.answered += 1
            self.changed.notify_all()

    def failure(self, instance):
        with self.changed:
            self.in_flight[instance] -= 1
            self.failed[instance] += 1
            self.changed.notify_all()

    def finish(self):
        with self.changed:
            self.done = True
            self.changed.notify_all()


def test_sigkill_mid_load_loses_and_duplicates_nothing(postgresql_database, tmp_path):
    assert LEARNERS >= 2 * (KILLS + 1), "every block needs a learner starting on each instance"
    app = make_app(
        postgresql_database,
        tmp_path,
        ELEARN_LOGIN_LIMIT="100000 per minute",
        ELEARN_LOGIN_ADDRESS_LIMIT="100000 per minute",
    )
    instances = []
    try:
        from elearn.auth.passwords import hash_password
        from elearn.models import User
        from elearn.training.assignments import apply_audience_rules

        learners = []
        with app.app_context():
            hashed = hash_password(PASSWORD)
            for i in range(LEARNERS):
                user = User(
                    employee_id=f"f{i}", name=f"Learner {i}", country="AE", hr_locale="en", password_hash=hashed
                )
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
                steps.append(
                    (
                        "ack",
                        f"/courses/demo_course/modules/{module}/acknowledge",
                        urllib.parse.urlencode({"csrf_token": token}),
                        cookie,
                        (assignment_id, module),
                    )
                )
            for n in range(ATTEMPTS):
                attempt = issue_attempt(app.secret_key, view, assignment_id)
                answers = WRONG if n == 0 else RIGHT
                fields = [("csrf_token", token), ("attempt", attempt.signed)] + [
                    (f"q-{q}", o) for q, opts in answers.items() for o in opts
                ]
                steps.append(
                    ("quiz", "/courses/demo_course/quiz", urllib.parse.urlencode(fields), cookie, attempt.nonce)
                )
            random.shuffle(steps)
            work.append(steps)

        env = {
            **os.environ,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": postgresql_database,
            "ELEARN_CONTENT_DIR": str(FIXTURE_CONTENT),
            "ELEARN_INSTANCE_DIR": str(tmp_path),
            "ELEARN_CONCERN_KEYS": new_key(),
        }
        instances = [Instance(env, tmp_path), Instance(env, tmp_path)]
        for instance in instances:
            instance.start()
        acknowledged = {"ack": set(), "quiz": set()}
        failures = []  # requests that died with the killed instance (then retried)
        lock = threading.Lock()
        blocks = [range(b * LEARNERS // (KILLS + 1), (b + 1) * LEARNERS // (KILLS + 1)) for b in range(KILLS + 1)]
        block_of = {index: b for b, block in enumerate(blocks) for index in block}
        steps_of = [sum(len(work[index]) for index in block) for block in blocks]
        load = Load()
        total = sum(steps_of)

        def run_learner(index):
            if not load.begin(block_of[index]):
                return
            try:
                for kind, path, body, cookie, key in work[index]:
                    for attempt in range(6):  # retry on the other instance, same body: idempotent
                        target = (index + attempt) % 2
                        load.sending(target)
                        try:
                            status = post(instances[target].port, path, body, cookie)
                        except OSError:
                            load.failure(target)
                            with lock:
                                failures.append(kind)
                            time.sleep(0.2)
                            continue
                        load.answer(target)
                        if status == 302:
                            with lock:
                                acknowledged[kind].add(key)
                            break
                        assert status < 500, (kind, status)
            except BaseException:
                load.finish()  # release the killer and the gated learners: the error is reported
                raise
            finally:
                load.end()

        kills = []  # (requests answered, requests in flight to the killed instance) at each kill
        chaos_errors = []

        def kill(n):
            """Kill n: instance n % 2, once half of block n's requests are answered; restart it
            once a request has failed on it. False if the load ended first."""
            target = n % 2
            threshold = sum(steps_of[:n]) + steps_of[n] // 2
            with load.changed:
                load.changed.wait_for(
                    lambda: (
                        load.done
                        or load.answered >= threshold
                        and (load.in_flight[target] > 0 or load.finished == load.started)
                    )
                )
                if load.done:
                    return False
                # under the lock: nothing is counted as answered until the instance is dead
                kills.append((load.answered, load.in_flight[target]))
                failed_before = load.failed[target]
                instances[target].kill()
                load.kills += 1  # the next block starts: half of it sends to the dead instance
                load.changed.notify_all()
                load.changed.wait_for(lambda: load.done or load.failed[target] > failed_before)
            instances[target].start()
            return True

        def chaos():  # one instance at a time, so the other always serves the retries
            try:
                for n in range(KILLS):
                    if not kill(n):
                        return
            except Exception as error:  # reported by the test's thread
                chaos_errors.append(error)
                load.finish()

        killer = threading.Thread(target=chaos)
        killer.start()
        try:
            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                list(pool.map(run_learner, range(LEARNERS)))
        finally:
            load.finish()
            killer.join()
        assert not chaos_errors, chaos_errors
        assert len(kills) == KILLS
        assert failures, "no request failed on a killed instance"
        print(
            f"{LEARNERS} learners, {KILLS} kills: {total} requests, {len(failures)} failed with a killed "
            f"instance and were retried; at each kill (answered, in flight to it): {kills}"
        )

        with app.app_context():
            tokens = db.session.execute(select(QuizAttempt.token, func.count()).group_by(QuizAttempt.token)).all()
            stored_tokens = {t for t, _ in tokens}
            assert all(n == 1 for _, n in tokens)
            assert acknowledged["quiz"] <= stored_tokens  # every acknowledged submission is stored
            assert len(acknowledged["quiz"]) == LEARNERS * ATTEMPTS  # and every one was acknowledged
            progress = set(db.session.execute(select(ModuleProgress.assignment_id, ModuleProgress.module_id)).all())
            assert acknowledged["ack"] <= {tuple(p) for p in progress}
            per_assignment = db.session.execute(
                select(Completion.assignment_id, func.count()).group_by(Completion.assignment_id)
            ).all()
            assert all(n == 1 for _, n in per_assignment)
            assert len(per_assignment) == LEARNERS  # everyone read all modules and passed
            codes = db.session.scalars(select(Completion.certificate_code)).all()
            assert len(codes) == len(set(codes))
    finally:
        for instance in instances:
            if instance.proc and instance.proc.poll() is None:
                instance.kill()
        wipe(app)
