"""One request, one session — in tests as in production.

A test runs inside the app context its ``app`` fixture pushed. Flask reuses a current app context for a request,
and Flask-SQLAlchemy scopes ``db.session`` by app context, so without this every request a test makes would share
the test's session (and ``g``): a service that forgets to commit would still pass, and stale objects would hide
what a request wrote. Here each request and each CLI command runs with no current app context and pushes one of
its own — a fresh session, removed at teardown — exactly as under gunicorn and the ``flask`` command.
"""

from contextlib import contextmanager

from flask import has_app_context
from flask.globals import _cv_app
from flask.testing import FlaskClient, FlaskCliRunner

from backend.extensions import db


@contextmanager
def apart_from_the_test():
    """Commit the test's session first (its setup becomes visible, and SQLite holds no write lock meanwhile), run
    the block with no current app context, then expire the test's objects so it reads what the block wrote."""
    outer = has_app_context()
    if outer:
        db.session.commit()
    token = _cv_app.set(None)
    try:
        yield
    finally:
        _cv_app.reset(token)
        if outer:
            db.session.expire_all()


@contextmanager
def own_app_context(app):
    """What another process of the app (a worker, the ``flask`` command) has: an app context and session of its
    own, seeing what the test committed."""
    with apart_from_the_test(), app.app_context():
        yield


class IsolatedClient(FlaskClient):
    def open(self, *args, **kwargs):
        # Buffered: a streamed response (stream_with_context) is consumed and its context popped inside the request,
        # as a server does, not later under the test's context.
        kwargs["buffered"] = True
        with apart_from_the_test():
            return super().open(*args, **kwargs)


class IsolatedCliRunner(FlaskCliRunner):
    def invoke(self, *args, **kwargs):
        with own_app_context(self.app):  # as ``flask``'s FlaskGroup pushes one per command
            return super().invoke(*args, **kwargs)
