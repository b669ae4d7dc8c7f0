"""``jala node sync --from slims``: mirror a SLiMS database into the node's catalogue now.

Exit codes: 0 synced (some values may have been set aside, listed as warnings); 1 the
sync could not run (configuration, database unreachable, schema mismatch): nothing the
node publishes was changed. The password is never an option: ``JALA_SLIMS_PASSWORD`` or
``[slims] password_file``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from config.progress import Progress, quiet_option
from config.settings import ConfigError, Settings, settings_options
from node_adapter.catalogue import Catalogue
from node_adapter.config import load_node_config
from node_adapter.slims import SlimsError
from node_adapter.slims.connection import load_slims_config
from node_adapter.slims.sync import SyncReport, sync


def print_report(report: SyncReport) -> None:
    """The summary in both languages, warnings first."""
    for warning in report.warnings:
        click.echo(f"  peringatan / warning: {warning}")
    if report.warning_count > len(report.warnings):
        more = report.warning_count - len(report.warnings)
        click.echo(f"  ... dan {more} lagi / and {more} more")
    trial = "UJI COBA, tidak ada yang disimpan / DRY RUN, nothing stored: " \
        if report.dry_run else ""
    click.echo(f"{trial}SLiMS ({report.mode}): dibaca/read {report.read}, ditambah/added "
               f"{report.added}, diperbarui/updated {report.updated}, tetap/unchanged "
               f"{report.unchanged}, dihapus/deleted {report.deleted}; perubahan terakhir / "
               f"latest change {report.latest_change or '-'}")


@click.command("sync")
@click.option("--from", "source", type=click.Choice(["slims"]), required=True,
              help="The library system to read (SLiMS 9).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Catalogue file (default: [node] database, else <data-dir>/catalogue.sqlite3).")
@click.option("--host", help="Database server (default: [slims] host).")
@click.option("--port", type=click.IntRange(1, 65535), help="Its port (default: [slims] port).")
@click.option("--database", help="Database name (default: [slims] database).")
@click.option("--user", help="Read-only account (default: [slims] user).")
@click.option("--full", is_flag=True, help="Read every title, not only the changed ones.")
@click.option("--dry-run", is_flag=True, help="Report what would change; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@quiet_option
@settings_options
def sync_command(source: str, db_path: Path | None, host: str | None, port: int | None,
                 database: str | None, user: str | None, full: bool, dry_run: bool,
                 as_json: bool, quiet: bool, settings: Settings) -> None:
    """Mirror a SLiMS database's titles, copies and loans into the node's catalogue."""
    try:
        config = load_slims_config(settings, host=host, port=port, database=database,
                                   user=user)
        path = db_path or load_node_config(settings).database
    except (SlimsError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    with Catalogue(path) as catalogue, \
            Progress("sinkron SLiMS / SLiMS sync (judul / titles)", quiet=quiet) as progress:
        try:
            report = sync(catalogue, config, full=full, dry_run=dry_run,
                          progress=lambda done, total: progress.update(done, total))
        except SlimsError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_report(report)
