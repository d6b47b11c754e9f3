"""Feature package: property management 物业管理 — model, provider, fee, the owners' choice (DOMAIN.md §7)."""


def init_app(app):
    from backend.demo import register_demo_loader
    from backend.events import vote_announced
    from backend.extensions import api

    from . import demo, fees, models, services  # noqa: F401  (tables the migrations must see)
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
    fees.init_app(app)
    register_demo_loader(app, demo.load)
    vote_announced.connect(_apply, weak=False)


def _apply(vote, result, actor=None):
    from . import services

    services.apply_announced(vote, result, actor)
