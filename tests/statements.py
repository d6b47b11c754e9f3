"""Counting the SQL statements a request runs, to pin N+1 queries away."""

from sqlalchemy import event

from backend.extensions import db


def statements_of(call, with_parameters=False):
    """``call()`` (a request through the test client) and the SQL statements it ran: (response, [sql, ...]);
    with ``with_parameters``, each as (sql with its white space folded, repr of its parameters)."""
    db.session.commit()  # the test's own pending writes are not the request's
    seen = []

    def record(conn, cursor, statement, parameters, *args):
        seen.append((" ".join(statement.split()), repr(parameters)) if with_parameters else statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return response, seen
