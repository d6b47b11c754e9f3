"""Feature package: residents — sign-in, household binding, proxies, letters and the mobile pages."""


def init_app(app):
    from backend.demo import register_demo_loader
    from backend.extensions import api

    from . import demo, models  # noqa: F401  (tables the migrations must see)
    from .cli import residents_cli
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
    app.cli.add_command(residents_cli)
    register_demo_loader(app, demo.load)
