"""Command-line commands of this component, gathered by ``jala.cli``.

``jala index rebuild|status``, ``jala search`` and ``jala generate``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import cast

import click

from aggregator.engine import EngineError, open_engine
from aggregator.generate import Generator
from aggregator.query import FILTERS, SORTS, SearchQuery
from aggregator.search import SearchService
from aggregator.workstore import WorkStoreError
from config.progress import Progress, quiet_option
from config.settings import Settings, settings_options

commands: list[click.Command] = []

GENERATE_BATCH = 10_000


@click.group("index")
def index_group() -> None:
    """Build and inspect the search index."""


@index_group.command("rebuild")
@quiet_option
@settings_options
def rebuild(quiet: bool, settings: Settings) -> None:
    """Rebuild the whole index from the record store (takes the index writer lock)."""
    from aggregator.indexer import Indexer
    from aggregator.union.store import PublishReport, UnionStore, workstore_members

    started = time.perf_counter()
    phases: dict[str, Progress] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in phases:
            for earlier in phases.values():
                earlier.close()
            phases[phase] = Progress(f"indeks / index: {phase}", total, quiet=quiet)
        phases[phase].update(done, total)

    try:
        with open_engine(settings, writer=True, fresh=True) as engine:
            indexer = Indexer.from_settings(settings, engine)
            union = UnionStore.from_settings(settings, workstore_members(indexer.works))
            report = indexer.rebuild(progress=progress, publish=union)
            union.close()
            published = cast(PublishReport, report.published)
    except (EngineError, WorkStoreError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        for each in phases.values():
            each.close()
    click.echo(f"index rebuilt in {time.perf_counter() - started:.1f} s: "
               f"{report.changes:,} records, {report.works_upserted:,} works, "
               f"{report.unmapped:,} unmapped, up to change {report.cursor}; union catalogue: "
               f"{published.changed:,} changed, {published.deleted:,} deleted")


@index_group.command("status")
@settings_options
def status(settings: Settings) -> None:
    """Show the backend, how many works are searchable, the last change indexed, the size."""
    from aggregator.indexer import Indexer

    try:
        with open_engine(settings) as engine:
            facts = engine.describe()
            facts["last_seq_indexed"] = Indexer.from_settings(settings, engine).cursor
    except (EngineError, WorkStoreError) as exc:
        raise click.ClickException(str(exc)) from exc
    width = max(len(k) for k in facts)
    for key, value in facts.items():
        click.echo(f"{key:<{width}}  {value}")


@click.command("search")
@settings_options
@click.argument("words", nargs=-1)
@click.option("--filter", "filters", multiple=True, metavar="FACET=VALUE",
              help=f"Exact value, repeatable ({', '.join(FILTERS)}).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--size", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print total and works as JSON.")
def search(settings: Settings, words: tuple[str, ...], filters: tuple[str, ...], sort: str,
           size: int, page: int, as_json: bool) -> None:
    """Search the index like the patron site does."""
    chosen: dict[str, list[str]] = {}
    for item in filters:
        facet, sep, value = item.partition("=")
        if not sep or facet not in FILTERS or not value:
            raise click.BadParameter(f"{item!r}: use FACET=VALUE with FACET one of "
                                     f"{', '.join(FILTERS)}", param_hint="--filter")
        chosen.setdefault(facet, []).append(value)
    query = SearchQuery(text=" ".join(words), filters={k: tuple(v) for k, v in chosen.items()},
                        sort=sort, size=size, page=page, highlight=False)
    try:
        service = SearchService.from_settings(settings)
        try:
            result = service.search(query, channel="cli")
        finally:
            service.close()
    except EngineError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        works = [{"id": h.work.id, "title": h.work.title, "creators": h.work.creators,
                  "year": h.work.year,
                  "holdings": [{"library_id": x.library_id, "copies": x.copies,
                                "available": x.available} for x in h.work.holdings]}
                 for h in result.hits]
        json.dump({"total": result.total, "works": works}, sys.stdout, ensure_ascii=False,
                  indent=2)
        click.echo()
        return
    click.echo(f"{result.total:,} works ({result.took_ms:.1f} ms)")
    if result.suggestion:
        click.echo(f"did you mean: {result.suggestion}")
    for hit in result.hits:
        work = hit.work
        libraries = ", ".join(f"{h.library_id} {h.available}/{h.copies}" for h in work.holdings)
        click.echo(f"- {work.title} — {'; '.join(work.creators)} ({work.year or 'n.d.'}) "
                   f"[{work.id}] {libraries}")


@click.command("generate")
@settings_options
@click.option("--records", type=click.IntRange(1), required=True, help="How many works.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write works.jsonl into this folder instead of indexing them.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--libraries", type=click.IntRange(1), default=120, show_default=True)
@quiet_option
def generate(settings: Settings, records: int, out: Path | None, seed: int,
             libraries: int, quiet: bool) -> None:
    """Make synthetic Indonesian works (benchmarks, demos): to a file or into the index."""
    generator = Generator(seed=seed, libraries=libraries)
    started = time.perf_counter()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        with (out / "works.jsonl").open("w", encoding="utf-8") as stream:
            for work in generator.works(records):
                stream.write(json.dumps(work.to_dict(), ensure_ascii=False) + "\n")
        click.echo(f"{records:,} works written to {out / 'works.jsonl'}")
        return
    try:
        with open_engine(settings, writer=True) as engine, \
                Progress("karya / works", records, quiet=quiet) as progress:
            for start in range(0, records, GENERATE_BATCH):
                engine.upsert(generator.works(min(GENERATE_BATCH, records - start), start))
                progress.update(min(records, start + GENERATE_BATCH))
            engine.commit()
    except EngineError as exc:
        raise click.ClickException(str(exc)) from exc
    elapsed = time.perf_counter() - started
    click.echo(f"{records:,} works indexed in {elapsed:.1f} s ({records / elapsed:,.0f}/s)")


commands.extend([index_group, search, generate])
