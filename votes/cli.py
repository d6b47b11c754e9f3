"""The votes' command line: ``flask votes …``."""

import click

from .tally import store_missing_figures


@click.group("votes")
def votes_cli():
    """Votes."""


@votes_cli.command("store-figures")
def store_figures_cmd():
    """Store the counts of announced votes that have none stored (e.g. votes loaded with COPY); idempotent."""
    click.echo(f"votes: stored the figures of {store_missing_figures()} announced votes")
