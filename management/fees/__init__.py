"""Property fees 物业费: each unit's monthly fee from the management history, payments and reversals, collection,
arrears, and the provider accounts that record them (DOMAIN.md §7)."""


def init_app(app):
    from backend.extensions import api

    from . import models  # noqa: F401  (tables the migrations must see)
    from .routes import blp

    api.register_blueprint(blp)
