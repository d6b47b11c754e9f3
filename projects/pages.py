"""No pages of its own: residents follow the works on the mobile home page (residents/static/m.js)."""

bp = None
