"""Feature package: surveys 问卷 — ask every household before anyone decides (API.md "Surveys")."""


def init_app(app):
    from backend.extensions import api

    from . import models  # noqa: F401  (the migrations see the tables)
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
