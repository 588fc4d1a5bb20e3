"""The framework's limit, for `make bench`: bare Flask views under the same server.

BENCH_BODY_FILE holds the exact bytes of the measured module page; the insert view
does one INSERT and one COMMIT on the same database as the app; the select view reads
one row by primary key on an AUTOCOMMIT connection (one round trip, as the module page
reads the learner's state) and answers with the page's bytes.
"""

import os
from pathlib import Path

from flask import Flask, Response
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func, select

from elearn.config import DEFAULTS

body = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
# The app's own engine settings, so both sides use the database the same way.
engine = create_engine(os.environ["BENCH_DATABASE_URL"], **DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"])
metadata = MetaData()
inserts = Table(
    "bench_inserts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64)),
    Column("at", DateTime, server_default=func.now()),
)
app = Flask(__name__)


@app.get("/bare")
def bare():
    return Response(body, mimetype="text/html")


@app.post("/insert")
def insert():
    with engine.begin() as conn:
        conn.execute(inserts.insert().values(token=os.urandom(16).hex()))
    return Response(b"ok", mimetype="text/plain")


@app.get("/select")
def select_then_page():
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(select(inserts.c.id).where(inserts.c.id == 1)).first()
    return Response(body, mimetype="text/html")
