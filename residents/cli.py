"""``flask residents purge`` (daily, from cron) and ``flask residents worker`` (the RQ letters worker)."""

import click
from flask import current_app
from flask.cli import AppGroup

residents_cli = AppGroup("residents", help="Residents: retention purge and the letters worker.")


@residents_cli.command("purge")
def purge_cmd():
    """Delete bindings, codes, requests, 委托书 photos and closed reports' construction photos past RETENTION_DAYS,
    and letter PDFs past LETTERS_KEEP_DAYS. Run it where PHOTO_DIR is mounted (the app container)."""
    from .privacy import purge

    counts = purge()
    days = current_app.config["RETENTION_DAYS"]
    click.echo(f"purged (retention {days} days): " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@residents_cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
def worker_cmd(burst):
    """Run the RQ worker that builds household letters (needs REDIS_URL)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: letters run in a thread of the web process instead")
    import redis
    from rq import Worker

    from .letters import QUEUE

    Worker([QUEUE], connection=redis.Redis.from_url(url)).work(burst=burst)
