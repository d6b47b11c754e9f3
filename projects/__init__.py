"""Feature package: renovation projects 改造项目 — items, pipeline, funding, reserve pool, departments
(DOMAIN.md §5, §8)."""


def init_app(app):
    from backend.extensions import api

    from . import models, problem_models  # noqa: F401  (tables the migrations must see)
    from .pages import bp as pages_bp
    from .problem_routes import blp as problems_blp
    from .routes import blp

    api.register_blueprint(blp)
    api.register_blueprint(problems_blp)
    if pages_bp is not None:
        app.register_blueprint(pages_bp)
