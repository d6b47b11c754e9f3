"""Feature package: reports."""


def init_app(app):
    from backend.extensions import api

    from .pages import bp as pages_bp
    from .rollup_routes import blp as rollup_blp
    from .routes import blp

    api.register_blueprint(blp)
    api.register_blueprint(rollup_blp)
    app.register_blueprint(pages_bp)
