"""``jala node import``, ``template`` and ``sample``: the librarian's side of intake.

Exit codes of import: 0 everything imported clean; 4 everything kept, some with warnings
(a value set aside, dropped or cut); 1 some rows were refused (no title, unreadable; the
others were imported); 3 a file was refused whole (nothing of it imported). The most
serious applies: 3, then 1, then 4. Usage errors are click's 2.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from config.progress import Progress, quiet_option
from config.settings import Settings, settings_options
from node_adapter.catalogue import Catalogue, UpsertSummary
from node_adapter.intake.config import intake_options
from node_adapter.intake.importer import FileReport, import_files
from node_adapter.intake.template_files import write_template
from node_adapter.samples import PROFILES, sample_records, write_sample_csv

EXIT_REJECTED_ROWS = 1
EXIT_REFUSED_FILE = 3
EXIT_KEPT_WITH_WARNINGS = 4


def exit_code(reports: list[FileReport]) -> int:
    """The most serious outcome of an import, as its exit code."""
    if any(r.failure for r in reports):
        return EXIT_REFUSED_FILE
    if any(r.rejected for r in reports):
        return EXIT_REJECTED_ROWS
    return EXIT_KEPT_WITH_WARNINGS if any(r.cautioned for r in reports) else 0


def _listed(count: int, shown: int) -> None:
    """Say how many more there were than the report lists."""
    if count > shown:
        click.echo(f"  ... dan {count - shown} lagi / and {count - shown} more")


def _print_reports(reports: list[FileReport], summary: UpsertSummary) -> None:
    """Human-readable report, every line in both languages; refusals apart from warnings."""
    for report in reports:
        click.echo(f"{report.path}: {report.accepted} disimpan ({report.cautioned} dengan "
                   f"peringatan, {report.merged} digabung), {report.rejected} ditolak / "
                   f"{report.accepted} kept ({report.cautioned} with warnings, "
                   f"{report.merged} merged), {report.rejected} refused")
        if report.failure:
            click.echo(f"  BERKAS DITOLAK / FILE REFUSED: {report.failure}")
        for warning in report.warnings:
            click.echo(f"  peringatan / warning: {warning}")
        if report.rejections:
            click.echo("  Ditolak (tidak diimpor) / Refused (not imported):")
        for rejection in report.rejections:
            click.echo(f"  {rejection}")
        _listed(report.rejected, len(report.rejections))
        if report.cautions:
            click.echo("  Disimpan dengan peringatan / Kept with warnings:")
        for caution in report.cautions:
            click.echo(f"  {caution}")
        _listed(report.cautioned, len(report.cautions))
    rejected = sum(r.rejected for r in reports)
    click.echo(f"Ringkasan / Summary: ditambah/added {summary.added}, "
               f"diperbarui/updated {summary.updated}, tetap/unchanged {summary.unchanged}, "
               f"digabung/merged {summary.merged}, dihapus/deleted {summary.deleted}, "
               f"ditolak/refused {rejected}")


@click.command("import")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The node's catalogue file (SQLite); created when missing.")
@click.option("--replace", is_flag=True,
              help="Tombstone stored records that none of the files contains.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@quiet_option
@settings_options
def import_command(db_path: Path, replace: bool, as_json: bool, files: tuple[Path, ...],
                   quiet: bool, settings: Settings) -> None:
    """Import CSV, XLSX or MARC (ISO 2709, MARCXML) files into a catalogue.

    Every titled row is kept; flawed fields are warnings with line, field and value.
    Exit code 0: all clean; 4: kept with warnings; 1: rows refused; 3: a file refused whole.
    """
    with Catalogue(db_path) as catalogue, \
            Progress("impor / import (rekaman / records)", quiet=quiet) as progress:
        reports, summary = import_files(catalogue, files, replace=replace,
                                        options=intake_options(settings), tick=progress.advance)
    if as_json:
        click.echo(json.dumps({"summary": {**asdict(summary), "rejected": sum(
            r.rejected for r in reports), "with_warnings": sum(r.cautioned for r in reports)},
            "files": [r.to_dict() for r in reports]}, ensure_ascii=False, indent=2))
    else:
        _print_reports(reports, summary)
    if code := exit_code(reports):
        raise SystemExit(code)


@click.command("template")
@click.option("--out", "outputs", multiple=True, required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="File to write, .csv or .xlsx (repeatable).")
def template_command(outputs: tuple[Path, ...]) -> None:
    """Write the catalogue template (headers and example rows) as CSV and/or XLSX."""
    for path in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_template(path)
        click.echo(f"{path}")


@click.command("sample")
@click.argument("name", type=click.Choice(list(PROFILES)))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the sample catalogue as a template CSV.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Import the sample catalogue straight into this catalogue file.")
def sample_command(name: str, out: Path | None, db_path: Path | None) -> None:
    """Build the deterministic sample catalogue NAME (sample data from Gramedia records)."""
    if not out and not db_path:
        raise click.UsageError("give --out FILE.csv and/or --db PATH")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        click.echo(f"{out}: {write_sample_csv(sample_records(name), out)} records")
    if db_path:
        with Catalogue(db_path) as catalogue:
            summary = catalogue.upsert_many(sample_records(name))
        click.echo(f"{db_path}: ditambah/added {summary.added}, diperbarui/updated "
                   f"{summary.updated}, tetap/unchanged {summary.unchanged}")
