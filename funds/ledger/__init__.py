"""The maintenance-fund ledger 维修资金分户账 (DOMAIN.md §4, API.md "Maintenance fund")."""


def init_app(app):
    from backend.demo import register_demo_loader
    from backend.extensions import api

    from . import demo, models  # noqa: F401  (models: for the migrations)
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
    register_demo_loader(app, demo.load)
