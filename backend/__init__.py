"""Gongjian 共建: the application factory."""

import importlib

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import reports_db
from .config import Config, check_production, driver_options
from .extensions import api, db, jwt, limiter, migrate

# Feature packages beside the core; each exposes ``init_app(app)``. The core imports them only here.
FEATURES = ("votes", "reports", "residents", "notices", "funds", "surveys", "management", "projects")


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.json.ensure_ascii = False
    check_production(app)
    driver_options(app.config)
    reports_db.configure(app)
    if app.config["PROXY_FIX_HOPS"]:  # behind nginx: the client address and scheme come from its headers
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from . import logs

    logs.init_app(app)

    register_extensions(app)
    register_blueprints(app)
    register_features(app)
    from .errors import register_error_handlers

    register_error_handlers(app)
    from . import security

    security.init_app(app)
    from .cli import register_commands

    register_commands(app)
    if app.config["APP_ENV"] == "production" and not app.config.get("TESTING"):
        from .demo import refuse_demo_accounts

        with app.app_context():
            refuse_demo_accounts()
    return app


def register_extensions(app):
    import os

    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    jwt.init_app(app)
    limiter.init_app(app)
    from . import openapi
    from .errors import ErrorOut

    api.ERROR_SCHEMA = ErrorOut  # the document's error responses state our body, not flask-smorest's
    openapi.init_app(app, api)
    from . import audit, privacy  # noqa: F401  (models the migrations must see)
    from .auth import tokens  # noqa: F401  (registers the JWT callbacks)


def register_blueprints(app):
    from .auth.routes import blp as auth_blp
    from .docs import bp as docs_bp
    from .roster.orgs import blp as orgs_blp
    from .roster.routes import blp as roster_blp

    for blp in (auth_blp, orgs_blp, roster_blp):
        api.register_blueprint(blp)
    app.register_blueprint(docs_bp)


def register_features(app):
    for name in FEATURES:
        importlib.import_module(name).init_app(app)
