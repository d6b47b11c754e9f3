"""The maintenance-fund ledger 维修资金分户账 (DOMAIN.md §4, API.md "Maintenance fund")."""


def init_app(app):
    from backend.extensions import api

    from . import models  # noqa: F401  (the migrations' models)
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
