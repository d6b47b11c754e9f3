"""Feature package: reports."""


def init_app(app):
    from backend.extensions import api
    from backend.reports_db import reads_from_reports_blueprints

    from .pages import bp as pages_bp
    from .rollup_routes import blp as rollup_blp
    from .routes import blp

    api.register_blueprint(blp)
    api.register_blueprint(rollup_blp)
    # Reads only: on the reports database when REPORTS_DATABASE_URL is set.
    reads_from_reports_blueprints(app, blp.name, rollup_blp.name)
    app.register_blueprint(pages_bp)
