"""The load benchmark's floor: the least a web request that stores one row can cost on this stack.

Not part of the product. Flask and SQLAlchemy on the same database, served by the same gunicorn config as the
app, one endpoint that inserts one row and commits: what ``bench/load.py`` divides the ballot endpoint by.
"""

import os

from flask import Flask, request
from sqlalchemy import BigInteger, Column, MetaData, String, Table, create_engine, insert

from backend.config import database_url

metadata = MetaData()
rows = Table(
    "bench_bare_rows",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("note", String(64), nullable=False),
)

engine = create_engine(database_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)
app = Flask(__name__)


@app.post("/insert")
def insert_row():
    with engine.begin() as conn:
        new_id = conn.execute(insert(rows).values(note=request.get_json()["note"]).returning(rows.c.id)).scalar()
    return {"id": new_id}, 201


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
