"""Feature package: reports."""


def init_app(app):
    from backend.extensions import api

    from .routes import blp

    api.register_blueprint(blp)
