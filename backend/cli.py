"""Flask CLI: accounts, demo data, audit verification."""

import click
from flask import current_app

from .extensions import db


def register_commands(app):
    app.cli.add_command(create_user_cmd)
    app.cli.add_command(demo_cmd)
    app.cli.add_command(audit_group)


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "official", "committee"]), required=True)
@click.option("--org", "org_id", type=int, help="组织 id（官员与居委会账号必填）")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_cmd(username, role, org_id, password):
    """Create a staff account."""
    from .auth.services import create_user
    from .errors import ServiceError

    try:
        user = create_user(username, password, role, org_id)
    except ServiceError as e:
        raise click.ClickException(e.message) from e
    click.echo(f"created {user.role} {user.username} (id {user.id}, org {user.org_id})")


@click.command("demo")
def demo_cmd():
    """Load the demo: a city tree, 幸福里小区 and a second compound, and the demo accounts (idempotent)."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("refusing to load demo data with APP_ENV=production")
    from .demo import load_demo

    for line in load_demo():
        click.echo(line)


@click.group("audit")
def audit_group():
    """The audit log's hash chains."""


@audit_group.command("verify")
def audit_verify():
    """Check every chain; name the first broken entry of each broken chain."""
    from .audit import verify_all

    problems = verify_all()
    db.session.rollback()
    if problems:
        for p in problems:
            click.echo(f"BROKEN {p}")
        raise SystemExit(1)
    click.echo("audit: every chain holds")
