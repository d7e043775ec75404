"""The ``gfmd-kg`` command line: a thin layer over plain functions of the package."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .build import SHAPES, BuildError, build
from .export import ExportError, export
from .namedqueries import NamedQueryError, load_named_queries
from .results import (
    RDF_FORMATS,
    RESULT_FORMATS,
    AskResult,
    GraphResult,
    SelectResult,
    write_ask,
    write_rdf,
    write_select,
)
from .settings import SETTINGS_BY_NAME, SettingsError, load_settings, settings_table
from .store import GraphStore, QuerySyntaxError, StoreError, open_store
from .vocab import GRAPH_KEYS, graph_iri, prefixes

#: Failures that are the user's to fix: shown as one line, exit status 1.
USER_ERRORS = (
    BuildError, ExportError, NamedQueryError, QuerySyntaxError, SettingsError, StoreError,
    FileNotFoundError, IsADirectoryError, PermissionError,
)


def settings_options(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add one ``--option`` per setting, with its help text from the settings table."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for name in reversed(names):
            setting = SETTINGS_BY_NAME[name]
            flag = "--" + name.replace("_", "-")
            if setting.is_flag:
                flag = f"{flag}/--no-{name.replace('_', '-')}"
                func = click.option(flag, name, default=None, help=setting.help)(func)
            else:
                func = click.option(flag, name, default=None, help=f"{setting.help} "
                                    f"[env {setting.env}]")(func)
        return func

    return decorate


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can fix into a one-line message and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    return load_settings({k: v for k, v in options.items() if k in SETTINGS_BY_NAME})


STORE_SETTINGS = ("store", "base_iri", "reasoner", "cache_dir", "source_dir")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gfmd-kg")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
def main(verbose: bool) -> None:
    """Knowledge graph and SPARQL service on labour migration and skills (GFMD-ILO 2018)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@main.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the cache is up to date.")
@settings_options("base_iri", "reasoner", "cache_dir", "source_dir")
@user_errors
def build_cmd(force: bool, **options: Any) -> None:
    """Build the dataset: parse, reason (HermiT), cache; print what it holds."""
    built = build(_settings(options), force=force)
    info = built.info
    how = "from the cache, built" if info.from_cache else "built"
    click.echo(f"dataset {info.source_hash}: {how} in {info.seconds:.2f} s, "
               f"reasoner: {info.reasoner}")
    for warning in info.warnings:
        click.echo(f"warning: {warning}", err=True)
    _echo_counts(info.triples)


def _echo_counts(counts: dict[str, int]) -> None:
    width = max(len(k) for k in counts)
    for key, count in counts.items():
        click.echo(f"  {key:<{width}}  {count:>7} triples")
    click.echo(f"  {'total':<{width}}  {sum(counts.values()):>7} triples")


@main.command("validate")
@settings_options("base_iri", "reasoner", "cache_dir", "source_dir")
@user_errors
def validate_cmd(**options: Any) -> None:
    """Check the dataset against the SHACL shapes; exit 1 on any violation."""
    from .api import dataset_from_store
    from .store import EmbeddedStore
    from .validate import validate_dataset

    settings = _settings(options)
    built = build(settings)
    dataset = dataset_from_store(EmbeddedStore(built.store, settings["base_iri"], "memory"))
    results = validate_dataset(dataset, Path(settings["source_dir"]) / SHAPES)
    for result in results:
        click.echo(str(result))
    violations = [r for r in results if r.severity == "Violation"]
    if violations:
        raise click.ClickException(f"{len(violations)} SHACL violation(s)")
    warnings = len(results) - len(violations)
    click.echo(f"conforms: no SHACL violation ({warnings} warning(s))")


STATS_QUERY = """
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?x a ?class FILTER(STRSTARTS(STR(?class), STR(gfmd:)))
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""


@main.command("stats")
@settings_options(*STORE_SETTINGS)
@user_errors
def stats_cmd(**options: Any) -> None:
    """Triples per named graph and instances per class of the ontology."""
    from .store import our_graph_counts

    settings = _settings(options)
    store = open_store(settings)
    click.echo(f"store: {store.kind}")
    _echo_counts(our_graph_counts(store))
    base = settings["base_iri"]
    prologue = "".join(f"PREFIX {p}: <{i}>\n" for p, i in prefixes(base).items())
    from pyoxigraph import NamedNode

    instance_graphs = [graph_iri(base, k) for k in GRAPH_KEYS if k != "ontology"]
    result = store.query(prologue + STATS_QUERY, default_graphs=instance_graphs)
    assert isinstance(result, SelectResult)
    click.echo("instances per class:")
    for cls, count in result.rows:
        assert isinstance(cls, NamedNode) and count is not None
        click.echo(f"  {_compact(cls.value, base):<40} {_cell(count, base):>5}")


def _compact(iri: str, base: str) -> str:
    for prefix, ns in prefixes(base).items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


@main.command("queries")
@settings_options("source_dir")
@user_errors
def queries_cmd(**options: Any) -> None:
    """List the named queries with their parameters."""
    settings = _settings(options)
    for named in load_named_queries(Path(settings["source_dir"]) / "queries").values():
        click.echo(f"{named.name}: {named.title}")
        for p in named.parameters:
            click.echo(f"    --param {p.name}=<{p.kind}>  {p.help} (default {p.default})")


def _read_query(source: str, queries_dir: Path) -> tuple[str, Any]:
    """A query text from a named query, a file, or '-' for stdin, with the named query."""
    if source == "-":
        return sys.stdin.read(), None
    named = load_named_queries(queries_dir)
    if source in named:
        return named[source].text, named[source]
    path = Path(source)
    if path.is_file():
        return path.read_text(encoding="utf-8"), None
    raise NamedQueryError(
        f"{source!r} is neither a named query nor a file; named queries: {', '.join(named)}"
    )


@main.command("query")
@click.argument("source")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A value for a named query's parameter (repeatable).")
@click.option("-f", "--format", "fmt", default="table",
              type=click.Choice(["table", *RESULT_FORMATS, *RDF_FORMATS]),
              help="table (default), csv, tsv, json, xml for results; turtle, nt, jsonld, xml, "
              "trig, nquads for graphs.")
@click.option("-g", "--graph", "graphs", multiple=True,
              help=f"Query only these graphs ({', '.join(GRAPH_KEYS)}, or an IRI) as the "
              "default graph; repeatable.")
@settings_options(*STORE_SETTINGS)
@user_errors
def query_cmd(source: str, params: tuple[str, ...], fmt: str, graphs: tuple[str, ...],
              **options: Any) -> None:
    """Run SOURCE: a named query, a .rq file, or '-' to read the query from stdin."""
    settings = _settings(options)
    base = settings["base_iri"]
    text, named = _read_query(source, Path(settings["source_dir"]) / "queries")
    values = dict(_split_param(p) for p in params)
    if named is None and values:
        raise click.UsageError("--param applies to named queries only")
    bindings = named.bindings(values, base) if named else None
    if named:
        text = named.text_for(base)
    store = open_store(settings)
    default_graphs = [graph_iri(base, g) if g in GRAPH_KEYS else g for g in graphs] or None
    known = store.graph_counts()
    for graph in default_graphs or []:
        if graph not in known:
            raise click.UsageError(
                f"unknown graph {graph!r}: use {', '.join(GRAPH_KEYS)} or the IRI of a graph "
                "in the store (gfmd-kg stats lists them)")
    result = store.query(text, bindings=bindings, default_graphs=default_graphs)
    _write_result(result, fmt, store)


def _split_param(spec: str) -> tuple[str, str]:
    name, sep, value = spec.partition("=")
    if not sep:
        raise click.UsageError(f"--param takes NAME=VALUE, got {spec!r}")
    return name.strip(), value


def _write_result(result: Any, fmt: str, store: GraphStore) -> None:
    out = sys.stdout.buffer
    if isinstance(result, GraphResult):
        fmt = "turtle" if fmt == "table" else fmt
        if fmt not in RDF_FORMATS:
            raise click.UsageError(f"a graph result takes --format {', '.join(RDF_FORMATS)}")
        out.write(write_rdf(result.triples, fmt, prefixes(store.base_iri)))
        return
    if fmt not in ("table", *RESULT_FORMATS):
        raise click.UsageError(f"a SELECT/ASK result takes --format table, "
                               f"{', '.join(RESULT_FORMATS)}")
    if isinstance(result, AskResult):
        if fmt == "table":
            click.echo("yes" if result.value else "no")
        else:
            out.write(write_ask(result, fmt))
        return
    if fmt == "table":
        _echo_table(result, store.base_iri)
    else:
        for chunk in write_select(result, fmt):
            out.write(chunk)


def _cell(term: Any, base: str) -> str:
    if term is None:
        return ""
    if hasattr(term, "language") and hasattr(term, "datatype"):
        return str(term.value)
    return _compact(term.value, base) if hasattr(term, "value") else str(term)


def _echo_table(result: SelectResult, base: str) -> None:
    rows = [[_cell(t, base) for t in row] for row in result.rows]
    header = result.variables
    widths = [min(60, max([len(h)] + [len(r[i]) for r in rows])) for i, h in enumerate(header)]
    def line(cells: Iterable[str]) -> str:
        return "  ".join(
            (c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(cells, widths,
                                                                              strict=True)
        ).rstrip()
    click.echo(line(header))
    click.echo("  ".join("-" * w for w in widths))
    for row in rows:
        click.echo(line(row))
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


@main.command("export")
@click.option("-f", "--format", "fmt", default="trig", type=click.Choice(list(RDF_FORMATS)),
              help="Serialisation (default trig, which keeps the named graphs).")
@click.option("-g", "--graph", default=None,
              help=f"Export one named graph ({', '.join(GRAPH_KEYS)}, or its IRI) instead of "
              "the whole dataset.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output).")
@settings_options(*STORE_SETTINGS)
@user_errors
def export_cmd(fmt: str, graph: str | None, output: str | None, **options: Any) -> None:
    """Export the dataset losslessly (TriG, N-Quads, JSON-LD keep the named graphs)."""
    store = open_store(_settings(options))
    if output is None:
        count = export(store, fmt, sys.stdout.buffer, graph)
    else:
        tmp = Path(output + ".part")
        with tmp.open("wb") as out:
            count = export(store, fmt, out, graph)
        tmp.replace(output)
    if graph is None and not RDF_FORMATS[fmt][3]:
        click.echo(f"note: {fmt} holds no named graphs; wrote the union of the graphs "
                   "(use trig, nquads or jsonld to keep them)", err=True)
    click.echo(f"exported {count} statements as {fmt}", err=True)


SERVE_SETTINGS = (
    "store", "update_url", "base_iri", "query_timeout", "max_rows", "max_request_bytes",
    "update_token_file", "protect_built", "cors_origins", "service_allow", "workers",
    "queue_wait", "spin_wait", "reopen_after", "reasoner", "cache_dir", "source_dir",
)


@main.command("serve")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default 8080).")
@click.option("--threads", default=8, show_default=True, type=int,
              help="Request threads of the WSGI server.")
@settings_options(*SERVE_SETTINGS)
@user_errors
def serve_cmd(host: str | None, port: int | None, threads: int, **options: Any) -> None:
    """Serve the SPARQL endpoint and the pages under granian.

    The update token is read from GFMD_KG_UPDATE_TOKEN or --update-token-file, never from
    a command-line value (other users of the machine can read those).
    """
    from .serve import DEFAULT_HOST, DEFAULT_PORT, serve

    config = {k: v for k, v in options.items() if v is not None}
    _settings(config)  # a bad setting stops the command here, before the server starts
    serve(config, host or DEFAULT_HOST, port or DEFAULT_PORT, threads)


@main.command("push")
@click.option("--to", "target", required=True, metavar="sparql+http://HOST/PATH",
              help="The remote store's query endpoint, as for --store.")
@click.option("--batch-size", default=5000, show_default=True, type=int,
              help="Quads per INSERT DATA request.")
@settings_options("update_url", "base_iri", "reasoner", "cache_dir", "source_dir")
@user_errors
def push_cmd(target: str, batch_size: int, **options: Any) -> None:
    """Upload the built dataset to a remote SPARQL store (SPARQL Update, in batches)."""
    from .remote import RemoteStore
    from .store import EmbeddedStore

    settings = _settings({**options, "store": "memory"})
    if not target.startswith(("sparql+http://", "sparql+https://")):
        raise click.UsageError("--to takes sparql+http://... or sparql+https://...")
    source = open_store(settings)
    assert isinstance(source, EmbeddedStore)
    total = sum(1 for _ in source.quads())
    remote = RemoteStore(target.removeprefix("sparql+"), settings["base_iri"],
                         settings["update_url"])
    with click.progressbar(length=total, label="pushing", file=sys.stderr) as bar:
        sent = remote.push_dataset(source, batch_size=batch_size, progress=bar.update)
    click.echo(f"pushed {sent} quads to {target}", err=True)


@main.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--store", "store", required=True, metavar="oxigraph:PATH",
              help="The on-disk store to load into (created if missing).")
@click.option("--graph", default=None, metavar="IRI",
              help="Put the triples in this named graph (default: the default graph; "
              "N-Quads and TriG keep their own graphs).")
@click.option("--lenient", is_flag=True,
              help="Skip IRI and language-tag validation (faster; for data known to be good).")
@click.option("--no-compact", "no_compact", is_flag=True,
              help="Leave the store uncompacted (when more loads follow: compact with the "
              "last).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@user_errors
def load_cmd(files: tuple[Path, ...], store: str, graph: str | None, lenient: bool,
             no_compact: bool, quiet: bool) -> None:
    """Bulk-load RDF FILES into an on-disk store; `serve --store` then serves them with the
    built graph.

    The format is chosen by extension: .ttl .nt .nq .trig .n3 .rdf .owl .xml .jsonld,
    each optionally gzip-compressed (.nt.gz, ...). The store is then compacted, which
    makes lookups in a large store faster (11-15 s for 10M triples).
    """
    from .load import LoadError, check_files, compact_store, load_files

    if not store.startswith("oxigraph:") or not store.removeprefix("oxigraph:"):
        raise click.UsageError("--store takes oxigraph:PATH (a folder for the on-disk store)")
    path = Path(store.removeprefix("oxigraph:")).expanduser()
    try:
        check_files(files, graph)
        total = sum(f.stat().st_size for f in files)
        if quiet or not sys.stderr.isatty():  # a log: a line every few seconds
            report = load_files(path, files, graph, lenient=lenient,
                                progress=None if quiet else _progress_lines(total))
        else:
            with click.progressbar(length=total, label="loading", file=sys.stderr,
                                   show_pos=False, show_percent=True, show_eta=True) as bar:
                report = load_files(path, files, graph, lenient=lenient,
                                    progress=bar.update)
        rate = report.added / report.seconds if report.seconds > 0 else 0.0
        mib = report.bytes_read / 2**20
        click.echo(f"loaded {report.added} statements from {len(report.files)} file(s) "
                   f"({mib:.1f} MiB) in {report.seconds:.2f} s: {rate:,.0f} statements/s; "
                   f"the store at {path} now holds {report.after}", err=True)
        if not no_compact:
            if not quiet:
                click.echo("compacting the store...", err=True)
            click.echo(f"compacted the store in {compact_store(path):.2f} s", err=True)
    except LoadError as exc:
        raise click.ClickException(str(exc)) from exc


def _progress_lines(total: int, every: float = 5.0) -> Callable[[int], None]:
    """Progress as a line on stderr every ``every`` seconds (for logs, not terminals)."""
    import time

    started = last = time.monotonic()
    done = 0

    def step(count: int) -> None:
        nonlocal done, last
        done += count
        now = time.monotonic()
        if now - last >= every:
            last = now
            click.echo(f"loading: {100 * done / max(total, 1):.0f}% of "
                       f"{total / 2**20:.0f} MiB read, {now - started:.0f} s", err=True)

    return step


@main.command("settings")
def settings_cmd() -> None:
    """Print every setting, its environment variable and default, as a Markdown table."""
    click.echo(settings_table())


if __name__ == "__main__":  # pragma: no cover
    main()
