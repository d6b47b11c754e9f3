"""Response headers every page and API answer carries.

Pages are never cached (a shared phone's back button must not show another household) and send no referrer (an
invite code may sit in a URL's fragment). The resident and committee pages load only this site's own scripts and styles, so a strict
Content-Security-Policy costs nothing and stops injected markup from running even if escaping is ever missed.
The API docs page keeps its one inline script and gets no CSP. A body past the request's limit is refused before
it is read, with the API's 413 ``too_large`` (``backend.uploads``).
"""

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from . import uploads

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    return response


def init_app(app):
    app.after_request(security_headers)
    app.register_error_handler(RequestEntityTooLarge, lambda e: uploads.too_large(request.max_content_length))
