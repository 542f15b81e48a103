"""The `kg` command line: a thin layer over the library (each command imports only what it needs)."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from kg.errors import KgError

app = typer.Typer(
    help="cnkg: a knowledge graph of cloud-native projects and the newsletters that mention them.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from kg import __version__

        typer.echo(f"cnkg {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """cnkg: a knowledge graph of cloud-native projects and the newsletters that mention them."""


catalog_app = typer.Typer(help="Enrich the catalog from reference data.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")

StoreOption = Annotated[Path, typer.Option("--store", help="Directory of the built graph.")]
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"kg: {message}", err=True)
    raise typer.Exit(code)


def friendly(func: F) -> F:
    """Turn expected errors into one line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KgError as err:
            fail(str(err))
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


@app.command()
@friendly
def build(
    paths: Annotated[
        # readable=False: an unreadable path is the build's to report and skip, not a usage error
        list[Path] | None, typer.Argument(help="Issue files or folders (default: corpus/).", readable=False)
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("build"),
    workers: Annotated[int, typer.Option("--workers", min=1, help="Extraction processes.")] = 1,
    html: Annotated[bool, typer.Option("--html/--no-html", help="Write the overview graph.html.")] = True,
    series: Annotated[
        str | None, typer.Option("--series", help="Series name of the issues under PATHS (default: as read).")
    ] = None,
    max_file_size: Annotated[
        float, typer.Option("--max-file-size", min=0, help="Skip (and report) larger files, in MB; 0: no limit.")
    ] = 10.0,
    file_timeout: Annotated[
        float,
        typer.Option("--file-timeout", min=0, help="Skip (and report) a file whose extraction takes longer, in s."),
    ] = 300.0,
    executor: Annotated[
        str | None,
        typer.Option(
            "--executor",
            help="Extract on Dask: 'dask' (a local cluster of --workers processes) or dask://HOST:PORT (a scheduler).",
        ),
    ] = None,
    emit: Annotated[
        Path | None, typer.Option("--emit", help="Also write one N-Quads shard per named graph into this folder.")
    ] = None,
) -> None:
    """Ingest, extract and store every issue under PATHS; skip unchanged ones; write graph.trig and graph.html."""
    from kg.build import build as run_build

    summary = run_build(
        paths or [Path("corpus")],
        out=out,
        workers=workers,
        write_html=html,
        series=series,
        max_file_size=int(max_file_size * 1024 * 1024) or None,
        file_timeout=file_timeout or None,
        executor=executor,
        emit=emit,
    )
    typer.echo(summary.render())
    if summary.emitted is not None:
        typer.echo(summary.emitted.render())
    if summary.exports_written:
        typer.echo(f"wrote {out / 'graph.trig'}" + (f" and {out / 'graph.html'}" if html else ""))
    if not summary.ok:
        typer.echo(f"kg: {len(summary.errors)} file(s) failed; the store keeps everything else", err=True)
        raise typer.Exit(1)


@app.command()
@friendly
def extract(
    file: Annotated[Path, typer.Argument(help="One issue file.")],
    fmt: Annotated[str, typer.Option("--format", help="Output format (json).")] = "json",
    reader: Annotated[str | None, typer.Option("--reader", help="Force a reader instead of sniffing.")] = None,
    series: Annotated[str | None, typer.Option("--series", help="Series name (default: as read).")] = None,
    companions: Annotated[
        bool, typer.Option("--with-companions", help="Also read the files of the same issue (LWCN's articles page).")
    ] = False,
) -> None:
    """Print one issue's extraction as JSON (../shared/eval/FORMAT.md); offsets index the file's text (and, with
    --with-companions, its companions' after it, as kg build reads them)."""
    if fmt != "json":
        raise KgError(f"unknown format {fmt!r} (json)")
    from kg.catalog import load_catalog
    from kg.extract import extract as run_extract
    from kg.ingest import read_issue

    issue = read_issue(file, reader, series=series, companions=companions)
    extraction = run_extract(issue, load_catalog())
    typer.echo(json.dumps(extraction.to_json(), ensure_ascii=False, indent=2))


@app.command("eval")
@friendly
def evaluate(
    gold: Annotated[list[Path], typer.Argument(help="Gold YAML files, or folders of them.")],
    corpus: Annotated[list[Path] | None, typer.Option("--corpus", help="Where the sources are (repeatable).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List misses and spurious finds.")] = False,
    brief: Annotated[bool, typer.Option("--brief", help="Only the overall tables (per gold set and in all).")] = False,
    reader: Annotated[
        str | None, typer.Option("--reader", help="Read every source with this reader (e.g. generic-markdown).")
    ] = None,
) -> None:
    """Score extractions against gold files: precision/recall/F1 per type, per gold set and overall.

    Gold directly in corpus/gold/ is the tuning set; gold under an untouched/ folder or elsewhere
    (../shared/eval/gold) was kept out of tuning; the two are reported apart."""
    from kg.evaluate import evaluate_files

    report, _ = evaluate_files(gold, corpus or [], verbose=verbose, brief=brief, fmt=reader)
    typer.echo(report)


@app.command()
@friendly
def train(
    corpus: Annotated[list[Path] | None, typer.Argument(help="Corpus folders (default: LWKD, LWCN, corpus/).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where the model is saved.")] = Path("build/ner-model"),
    seed: Annotated[int, typer.Option("--seed")] = 0,
    epochs: Annotated[int, typer.Option("--epochs", min=1)] = 4,
) -> None:
    """Train the weakly supervised NER experiment (kg/train.py) from the corpus, held-out gold issues excluded.

    The model is not part of `kg build`: measured on the held-out gold it did not raise F1 and cut extraction
    speed by six (see README, Quality); `python bench/bench_ner.py` repeats the measurement."""
    from kg.train import DEFAULT_CORPORA
    from kg.train import train as run_train

    paths = [p for p in (corpus or list(DEFAULT_CORPORA)) if Path(p).exists()]
    run_train(paths, out, seed=seed, epochs=epochs, log=lambda line: typer.echo(line, err=True))


class ResultFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    trig = "trig"


OutputOption = Annotated[
    str | None, typer.Option("-o", "--output", help="File to write; - for standard output (the default).")
]


def write_output(data: bytes, output: str | None) -> None:
    """Bytes to standard output (``None`` or ``-``) or to a file."""
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        from kg import safeio

        safeio.write_bytes(output, data)  # a kill leaves the old file or the new one


@app.command()
@friendly
def query(
    sparql: Annotated[
        str | None, typer.Argument(help="SPARQL text, a canned query name, or - to read the query from stdin.")
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the query from a file (- for stdin).")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="k=v parameter of a canned query.")] = None,
    fmt: Annotated[
        ResultFormat | None,
        typer.Option(
            "--format",
            help="table (default), csv, tsv, json (SPARQL 1.1 JSON results), xml; CONSTRUCT/DESCRIBE: turtle "
            "(default), ntriples, nquads, trig.",
        ),
    ] = None,
    limit: Annotated[
        str | None, typer.Option("--limit", help="At most N rows (a canned query's own limit parameter).")
    ] = None,
    offset: Annotated[str | None, typer.Option("--offset", help="Skip the first N rows.")] = None,
    output: OutputOption = None,
    store: StoreOption = Path("build"),
) -> None:
    """Run a SPARQL query (inline, --file, stdin, or a canned NAME with --param k=v) on the store.

    A page cut at the limit says so on stderr, with how to get the rest."""
    from kg import query as q
    from kg.store import GraphStore

    prepared = q.prepare(sparql, file, q.parse_param_args(param or []), limit, offset)
    chosen = q.output_format(prepared.form, fmt.value if fmt else None)  # refused before running
    with GraphStore.open(store, read_only=True) as graph:
        page = q.execute(graph, prepared)
    write_output(page.serialize(chosen), output)
    if page.note():
        typer.echo(f"kg: {page.note()}", err=True)


@app.command()
@friendly
def queries() -> None:
    """List the canned queries with their descriptions and parameters."""
    from kg.query import canned_queries

    for name, canned in canned_queries().items():
        typer.echo(f"{name}: {canned.title}")
        typer.echo(f"    {canned.description}")
        for p in canned.params:
            flags = ", ".join([p.type] + (["optional"] if p.optional else []))
            typer.echo(f"    --param {p.name}=…  ({flags}) {p.doc}")


@app.command()
@friendly
def stats(store: StoreOption = Path("build")) -> None:
    """Counts by class, most mentioned entities, issues by series."""
    from kg.stats import render_stats
    from kg.store import GraphStore

    with GraphStore.open(store, read_only=True) as graph:
        typer.echo(render_stats(graph))


@app.command()
@friendly
def viz(
    focus: Annotated[str | None, typer.Option("--focus", help="Centre on this entity (name or alias).")] = None,
    depth: Annotated[int, typer.Option("--depth", help="Neighbourhood depth around --focus.")] = 1,
    types: Annotated[str | None, typer.Option("--types", help="Comma-separated entity types.")] = None,
    min_mentions: Annotated[int, typer.Option("--min-mentions", help="Hide entities mentioned less often.")] = 1,
    series: Annotated[str | None, typer.Option("--series", help="Only mentions in this series.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only issues from this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only issues up to this date (YYYY-MM-DD).")] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="Draw at most N entities at first (default 300); the rest: search."),
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write (- for stdout).")] = Path(
        "graph.html"
    ),
    store: StoreOption = Path("build"),
) -> None:
    """Write the explorer for the graph (or a neighbourhood) as one offline HTML page."""
    from kg.explorer import ExplorerOptions, explorer_data, render_page
    from kg.explorer.data import DEFAULT_BUDGET
    from kg.explorer.sparql import store_select
    from kg.store import GraphStore

    options = ExplorerOptions(
        focus=focus,
        depth=depth if focus else None,
        types=[types] if types else None,
        min_mentions=min_mentions,
        series=series,
        since=since,
        until=until,
        budget=DEFAULT_BUDGET if limit is None else limit,
    )
    with GraphStore.open(store, read_only=True) as graph:
        data = explorer_data(store_select(graph), options, title=f"cnkg: {focus}" if focus else "cnkg")
    if str(output) == "-":  # the page on standard output
        from kg.explorer.page import page_html

        write_output(page_html(data).encode("utf-8"), "-")
        return
    render_page(data, output)
    drawn = sum(1 for e in data["entities"] if e["drawn"])
    typer.echo(f"wrote {output} ({drawn} drawn of {len(data['entities'])} entities, {len(data['edges'])} edges)")


@app.command()
@friendly
def explore(
    focus: Annotated[
        str | None, typer.Option("--focus", help="Draw this entity (name or alias) and its nearest.")
    ] = None,
    series: Annotated[str | None, typer.Option("--series", help="Only mentions in this series.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only issues from this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only issues up to this date (YYYY-MM-DD).")] = None,
    budget: Annotated[int, typer.Option("--budget", help="Entities drawn at first (the rest: search).")] = 300,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("explore.html"),
    store: StoreOption = Path("build"),
) -> None:
    """Write the explorer: one offline HTML page to search, filter, expand and read the evidence."""
    from kg.explorer import ExplorerOptions, explorer_data, render_page
    from kg.explorer.sparql import store_select
    from kg.store import GraphStore

    options = ExplorerOptions(focus=focus, series=series, since=since, until=until, budget=budget)
    with GraphStore.open(store, read_only=True) as graph:
        data = explorer_data(store_select(graph), options, title=f"cnkg: {focus}" if focus else "cnkg explorer")
    render_page(data, output)
    drawn = sum(1 for e in data["entities"] if e["drawn"])
    typer.echo(f"wrote {output} ({drawn} drawn of {len(data['entities'])} entities, {len(data['edges'])} edges)")


@app.command()
@friendly
def analytics(
    top: Annotated[int, typer.Option("--top", help="Rows per table.")] = 15,
    store: StoreOption = Path("build"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar on stderr.")] = False,
) -> None:
    """Centrality and communities of the project network (co-mentions and relations)."""
    from kg.analytics import REPORT_STEPS, report
    from kg.progress import steps, wanted
    from kg.store import GraphStore

    with GraphStore.open(store, read_only=True) as graph, steps(REPORT_STEPS, "analytics", wanted(quiet)) as step:
        text = report(graph, top, step=step)
    typer.echo(text)


@app.command()
@friendly
def serve(
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 7878,
    bind: Annotated[str, typer.Option("--bind", help="Address to listen on.")] = "127.0.0.1",
    timeout: Annotated[
        float, typer.Option("--timeout", min=0, help="Stop a query after this many seconds (0: never).")
    ] = 30,
    max_queries: Annotated[int, typer.Option("--max-queries", min=1, help="Queries running at once.")] = 4,
    max_result_mb: Annotated[float, typer.Option("--max-result-mb", min=0, help="Largest result, in MB.")] = 64,
    allow_service: Annotated[
        bool, typer.Option("--allow-service", help="Run SERVICE clauses (the server fetches other URLs).")
    ] = False,
    queue_wait: Annotated[
        float, typer.Option("--queue-wait", min=0, help="Seconds a query waits for a free slot before 503.")
    ] = 5.0,
    store: StoreOption = Path("build"),
) -> None:
    """Serve the built graph as a read-only SPARQL endpoint (Oxigraph servers behind a front that keeps limits)."""
    from kg.endpoint import serve as run_serve

    code = run_serve(
        store,
        port=port,
        bind=bind,
        timeout_s=timeout,
        max_queries=max_queries,
        max_result_mb=max_result_mb,
        allow_service=allow_service,
        queue_wait_s=queue_wait,
    )
    raise typer.Exit(code)


@app.command()
@friendly
def push(
    url: Annotated[str, typer.Argument(help="Graph Store Protocol endpoint, e.g. http://host:7878/store")],
    store: StoreOption = Path("build"),
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Uploads at once.")] = 4,
    force: Annotated[
        bool, typer.Option("--force", help="Upload every graph, also those the target holds unchanged.")
    ] = False,
) -> None:
    """Upload every named graph to a SPARQL Graph Store endpoint (PUT per graph: pushing twice changes nothing);
    graphs the target already holds with the same content hash are skipped, so an interrupted push resumes."""
    from kg.push import push as run_push

    result = run_push(store, url, jobs=jobs, force=force)
    typer.echo(result.summary())


EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv")


@app.command()
@friendly
def export(
    fmt: Annotated[str, typer.Option("--format", help="|".join(EXPORT_FORMATS))] = "trig",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default build/graph.<ext>; - for stdout).")
    ] = None,
    store: StoreOption = Path("build"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar on stderr.")] = False,
) -> None:
    """Export the graph (RDF formats, GraphML/GEXF for Gephi, CSV of mentions)."""
    from kg.export import export as run_export
    from kg.progress import wanted

    if fmt not in EXPORT_FORMATS:
        raise KgError(f"unknown export format {fmt!r} ({', '.join(EXPORT_FORMATS)})")
    written = run_export(store, fmt, output, progress=wanted(quiet))
    typer.echo(
        f"wrote {written}" if str(written) != "-" else f"wrote {fmt} to standard output", err=str(written) == "-"
    )


@app.command()
@friendly
def validate(store: StoreOption = Path("build")) -> None:
    """SHACL-validate the store against ontology/shapes.ttl (each constraint a SPARQL query run by Oxigraph);
    exit 1 on violations."""
    from kg.validate import validate_store

    conforms, report = validate_store(store)  # progress bar on stderr when it is a terminal
    typer.echo(report)
    if not conforms:
        raise typer.Exit(1)


@catalog_app.command("import-landscape")
@friendly
def import_landscape(
    file: Annotated[Path, typer.Argument(help="CNCF landscape.yml")],
    out: Annotated[Path | None, typer.Option("--out", help="Catalog file to write.")] = None,
) -> None:
    """Add landscape projects (category, subcategory, maturity, homepage, repo) to the catalog."""
    _import_catalog("landscape", file, out)


@catalog_app.command("import-keps")
@friendly
def import_keps(
    directory: Annotated[Path, typer.Argument(help="The enhancements keps/ folder.")],
    out: Annotated[Path | None, typer.Option("--out", help="Catalog file to write.")] = None,
) -> None:
    """Add KEPs (number, title, owning SIG, stage, milestones) to the catalog."""
    _import_catalog("keps", directory, out)


def _import_catalog(kind: str, source: Path, out: Path | None) -> None:
    from kg import catalog_import
    from kg.catalog import IMPORTED_DIR

    target = out or IMPORTED_DIR / f"{kind}.yaml"
    run_import = catalog_import.import_landscape if kind == "landscape" else catalog_import.import_keps
    count = run_import(source, target)
    typer.echo(f"wrote {count} entries to {target}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
