"""Feature package: votes."""


def init_app(app):
    from backend.demo import register_demo_loader
    from backend.extensions import api

    from . import demo
    from .cli import votes_cli
    from .pages import bp as pages_bp
    from .routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages_bp)
    app.cli.add_command(votes_cli)
    register_demo_loader(app, demo.load)
