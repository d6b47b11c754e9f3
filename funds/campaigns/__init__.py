"""Co-funding campaigns 居民出资: shares, pledges and payments (DOMAIN.md §3, API.md "Co-funding")."""


def init_app(app):
    from backend.demo import register_demo_loader
    from backend.extensions import api

    from . import demo, models  # noqa: F401  (so migrations and metadata see the tables)
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
    register_demo_loader(app, demo.load)
