"""A remote SPARQL 1.1 endpoint as a ``GraphStore``, reached through SPARQLWrapper.

The endpoint must take the union of its named graphs as the default graph (for Oxigraph:
``oxigraph serve --union-default-graph``), as the embedded stores do. Answers are read with
pyoxigraph's own parsers; bindings travel as a trailing VALUES block, never inside the text.
"""

from __future__ import annotations

import ast
import http.client
import re
import urllib.error
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import pyoxigraph as ox
from SPARQLWrapper import INSERT, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .executor import QueryTimeout
from .results import AskResult, GraphResult, QueryResult, SelectResult
from .sparqltext import bind_values, query_form
from .store import Binding, GraphStore, QuerySyntaxError, StoreError

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
_SYNTAX = re.compile(r"error at \d+:\d+|syntax|pars(e|ing)|expected", re.IGNORECASE)
_EXCERPT = 300


class RemoteStore(GraphStore):
    """A SPARQL 1.1 endpoint over HTTP: queries at ``endpoint``, updates at ``update_url``."""

    kind = "remote"

    def __init__(self, endpoint: str, base_iri: str, update_url: str | None = None) -> None:
        super().__init__(base_iri)
        for url in (endpoint, update_url or endpoint):
            if not url.startswith(("http://", "https://")):
                raise StoreError(f"a remote store needs an http(s) URL, not {url!r}")
        self.endpoint = endpoint
        self.update_url = update_url or endpoint

    def query(
        self,
        text: str,
        *,
        bindings: Mapping[str, Binding] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run a query on the endpoint; ``timeout`` (seconds) raises QueryTimeout."""
        form = query_form(text)
        if form is None:
            raise QuerySyntaxError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
        if bindings:
            text = bind_values(text, {name: str(term) for name, term in bindings.items()})
        tabular = form in ("SELECT", "ASK")
        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(text)
        wrapper.queryType = form  # our lexer's reading, not SPARQLWrapper's regex
        wrapper.setReturnFormat(JSON if tabular else TURTLE)
        wrapper.addCustomHttpHeader("Accept", JSON_RESULTS if tabular else N_TRIPLES)
        defaults = list(default_graphs or [])
        if named_graphs and not defaults:
            # a protocol dataset without default-graph-uri has an empty default graph;
            # name every graph so the default stays their union, as in EmbeddedStore
            defaults = self._graph_names()
        for graph in defaults:
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs or ():
            wrapper.addNamedGraph(graph)
        if timeout is not None:
            wrapper.setTimeout(1)  # it truncates to whole seconds: set the real value next
            cast(Any, wrapper).timeout = max(timeout, 0.001)
        body, media = self._send(wrapper, self.endpoint, timeout)
        try:
            if tabular:
                fmt = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
                parsed = ox.parse_query_results(body, fmt)
                if isinstance(parsed, ox.QueryBoolean):
                    return AskResult(bool(parsed))
                names = [v.value for v in parsed.variables]
                rows = [tuple(s[i] for i in range(len(names))) for s in parsed]
                return SelectResult(names, rows)
            rdf_format = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            return GraphResult([quad.triple for quad in ox.parse(body, rdf_format)])
        except SyntaxError as exc:
            if b"cancelled" in body:
                raise QueryTimeout(f"the remote store at {self.endpoint} stopped the query "
                                   "at its own time limit") from exc
            raise StoreError(f"the remote store at {self.endpoint} sent an answer that is not "
                             f"valid {media}: {exc}") from exc

    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update by POST to the update URL."""
        wrapper = SPARQLWrapper(self.endpoint, updateEndpoint=self.update_url)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(text)
        wrapper.queryType = INSERT  # any update keyword: SPARQLWrapper then posts `update=`
        self._send(wrapper, self.update_url, None)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the named graphs, or those of one named graph."""
        bindings = {"g": ox.NamedNode(graph)} if graph else None
        result = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                            bindings=bindings)
        assert isinstance(result, SelectResult)
        for row in result.rows:
            yield ox.Quad(*cast(tuple[Any, Any, Any, Any], tuple(row)))

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph IRI."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(result, SelectResult)
        return {g.value: int(n.value) for g, n in result.rows
                if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal)}

    def push_dataset(
        self,
        source: GraphStore,
        batch_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Upload every quad of ``source`` with INSERT DATA; return how many were sent.

        INSERT DATA gives the blank nodes of each request fresh identities, so a blank node
        must never straddle two requests. Quads without blank nodes go in batches of about
        ``batch_size``, cut only between subjects; every quad that mentions a blank node goes
        in one last request, whatever its size, so a blank node shared by several triples or
        graphs stays one node. ``progress`` gets the running total after each request.
        """
        by_subject: dict[str, list[ox.Quad]] = {}
        with_blanks: list[ox.Quad] = []
        for quad in source.quads():
            if isinstance(quad.graph_name, ox.BlankNode):
                raise StoreError(f"cannot upload a graph named by a blank node ({quad})")
            if any(_has_blank(t) for t in (quad.subject, quad.object)):
                with_blanks.append(quad)
            else:
                by_subject.setdefault(str(quad.subject), []).append(quad)
        batches: list[list[ox.Quad]] = []
        current: list[ox.Quad] = []
        for group in by_subject.values():
            if current and len(current) + len(group) > batch_size:
                batches.append(current)
                current = []
            current.extend(group)
        batches += [b for b in (current, with_blanks) if b]
        sent = 0
        for batch in batches:
            self.update(insert_data(batch))
            sent += len(batch)
            if progress is not None:
                progress(sent)
        return sent

    def _graph_names(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        assert isinstance(result, SelectResult)
        return [g.value for (g,) in result.rows if isinstance(g, ox.NamedNode)]

    def _send(self, wrapper: SPARQLWrapper, url: str, timeout: float | None) -> tuple[bytes, str]:
        """Run a prepared request; its body and media type, or one of our errors."""
        try:
            response = wrapper.query().response
            body = response.read()
            media = response.headers.get_content_type()
        except SPARQLWrapperException as exc:
            status = exc.__context__.code if isinstance(exc.__context__,
                                                        urllib.error.HTTPError) else None
            raise self._http_error(url, status, _remote_text(exc)) from exc
        except urllib.error.HTTPError as exc:
            raise self._http_error(url, exc.code, exc.read().decode("utf-8", "replace")) from exc
        except TimeoutError as exc:
            raise QueryTimeout(f"the remote store at {url} did not answer within "
                               f"{timeout} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(f"the remote store at {url} did not answer within "
                                   f"{timeout} s") from exc
            raise StoreError(f"the remote store at {url} is unreachable: {exc.reason}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise StoreError(f"the remote store at {url} is unreachable: "
                             f"{type(exc).__name__}: {exc}") from exc
        return body, media

    @staticmethod
    def _http_error(url: str, status: int | None, message: str) -> Exception:
        message = message.strip()
        if status == 400 and _SYNTAX.search(message):
            return QuerySyntaxError(message)
        excerpt = message[:_EXCERPT] + ("…" if len(message) > _EXCERPT else "")
        return StoreError(f"the remote store at {url} answered HTTP {status or '?'}: {excerpt}")


def insert_data(quads: Iterable[ox.Quad]) -> str:
    """An INSERT DATA update for quads, each term in pyoxigraph's N-Triples syntax."""
    graphs: dict[str, list[str]] = {}
    for quad in quads:
        graph = quad.graph_name
        key = "" if isinstance(graph, ox.DefaultGraph) else str(graph)
        graphs.setdefault(key, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    parts = ["\n".join(lines) if not key else "GRAPH " + key + " {\n" + "\n".join(lines) + "\n}"
             for key, lines in graphs.items()]
    return "INSERT DATA {\n" + "\n".join(parts) + "\n}\n"


def _has_blank(term: object) -> bool:
    if isinstance(term, ox.BlankNode):
        return True
    if isinstance(term, ox.Triple):
        return _has_blank(term.subject) or _has_blank(term.object)
    return False


def _remote_text(exc: SPARQLWrapperException) -> str:
    """The server's message, which SPARQLWrapper keeps only as a repr inside its own."""
    _, found, raw = str(exc).partition("\n\nResponse:\n")
    if not found:
        return str(exc)
    try:
        body = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
