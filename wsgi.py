"""Entry point for `flask --app wsgi` and `gunicorn wsgi:app`."""

from backend import create_app

app = create_app()
