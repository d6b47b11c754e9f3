"""Feature package: surveys 问卷 — ask every household before anyone decides (API.md "Surveys")."""


def init_app(app):
    from backend.demo import register_demo_loader
    from backend.extensions import api

    from . import demo, models  # noqa: F401  (models: the migrations see the tables)
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
    register_demo_loader(app, demo.load)
