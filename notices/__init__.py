"""Feature package: notices — announcements with QR codes and posters, and their mobile landing page."""


def init_app(app):
    from backend.demo import register_demo_loader
    from backend.extensions import api

    from . import demo, models  # noqa: F401  (tables the migrations must see)
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
    register_demo_loader(app, demo.load)
