/* The query page of gfmd-kg.
 *
 * A YASQE editor (from the npm YASGUI package, served by this server under /vendor) whose
 * completions come from our own endpoint and prefix table, and a result table of our own
 * that shows IRIs by their labels and links them to their pages.
 *
 * No outside service is ever called: YASQE's prefix.cc and LOV completers are replaced,
 * the YASGUI tabs (and their endpoint catalogue) are not used, nothing is persisted in
 * localStorage, and every request goes to this server.
 *
 * Every value is put in the page with textContent or setAttribute, never with innerHTML.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("query-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
  const SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel";
  const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
  const LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
  const SAFE_IRI = /^[^\u0000-\u0020<>"{}|^`\\]+$/;
  const LOCAL = /^[A-Za-z_][A-Za-z0-9_-]*$/;
  const LABEL_BATCH = 300;
  const LONG_MESSAGE = 240;
  const JSON_RESULTS = "application/sparql-results+json";

  const byId = (id) => document.getElementById(id);
  const ui = {
    form: byId("query-form"),
    textarea: byId("query-text"),
    label: byId("query-label"),
    editor: byId("query-editor"),
    run: byId("run-query"),
    status: byId("result-status"),
    error: byId("result-error"),
    notice: byId("result-notice"),
    body: byId("result-body"),
    downloads: byId("download-links"),
    share: byId("share-link"),
    copy: byId("copy-share"),
  };

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  // ------------------------------------------------------------------ IRIs and labels

  /** Where an IRI is shown: its path here when it is ours, else /resource?iri=. */
  function entityHref(iri) {
    if (iri.startsWith(config.baseIri)) {
      return config.root + "/" + iri.slice(config.baseIri.length).replace(/^\/+/, "");
    }
    return config.root + "/resource?iri=" + encodeURIComponent(iri);
  }

  /** prefix:local when one of our prefixes (or the query's) covers the IRI. */
  function compact(iri, extra) {
    const table = Object.assign({}, config.prefixes, extra || {});
    let best = null;
    for (const [name, ns] of Object.entries(table)) {
      if (iri.startsWith(ns) && LOCAL.test(iri.slice(ns.length))
          && (best === null || ns.length > table[best].length)) best = name;
    }
    return best === null ? iri : best + ":" + iri.slice(table[best].length);
  }

  /** POST a query to our endpoint; the parsed SPARQL JSON results. */
  async function select(text) {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: JSON_RESULTS },
      body: new URLSearchParams({ query: text }).toString(),
    });
    if (!response.ok) throw new Error("the endpoint answered " + response.status);
    return response.json();
  }

  /** English labels of IRIs (skos:prefLabel before rdfs:label; English, then none, then any). */
  async function fetchLabels(iris) {
    const wanted = [...new Set(iris)].filter((iri) => SAFE_IRI.test(iri));
    const best = new Map();
    const rank = (prop, lang) => (prop === SKOS_PREF ? 0 : 10) + (lang === "en" ? 0 : lang ? 2 : 1);
    const batches = [];
    for (let i = 0; i < wanted.length; i += LABEL_BATCH) {
      const values = wanted.slice(i, i + LABEL_BATCH).map((iri) => "<" + iri + ">").join(" ");
      batches.push(select(
        "SELECT ?iri ?p ?label WHERE { VALUES ?iri { " + values + " } " +
        "VALUES ?p { <" + SKOS_PREF + "> <" + RDFS_LABEL + "> } " +
        "?iri ?p ?label . FILTER(isLiteral(?label)) }"));
    }
    const answers = await Promise.all(batches.map((p) => p.catch(() => null)));
    for (const answer of answers) {
      if (!answer) continue;
      for (const row of answer.results.bindings) {
        const iri = row.iri.value;
        const r = rank(row.p.value, row.label["xml:lang"]);
        const seen = best.get(iri);
        if (!seen || r < seen.rank || (r === seen.rank && row.label.value < seen.text)) {
          best.set(iri, { rank: r, text: row.label.value });
        }
      }
    }
    return new Map([...best].map(([iri, found]) => [iri, found.text]));
  }

  // ---------------------------------------------------------------------- N-Triples

  const UNESCAPE = /\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf"'\\])/g;
  const SIMPLE = { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" };
  function unescape(text) {
    return text.replace(UNESCAPE, (_, code) =>
      code.length > 1 ? String.fromCodePoint(parseInt(code.slice(1), 16)) : SIMPLE[code]);
  }
  const TERM = new RegExp(
    '[ \\t]*(?:<((?:[^>\\\\]|\\\\.)*)>|_:([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)' +
    '|"((?:[^"\\\\]|\\\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\\^\\^<((?:[^>\\\\]|\\\\.)*)>)?)',
    "y");

  /** Triples of an N-Triples document, each term as a SPARQL JSON results term. */
  function parseNTriples(text) {
    const triples = [];
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (!line || line.startsWith("#")) continue;
      const terms = [];
      TERM.lastIndex = 0;
      for (let i = 0; i < 3; i++) {
        const m = TERM.exec(line);
        if (!m) break;
        if (m[1] !== undefined) terms.push({ type: "uri", value: unescape(m[1]) });
        else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
        else {
          const term = { type: "literal", value: unescape(m[3]) };
          if (m[4]) term["xml:lang"] = m[4];
          if (m[5]) term.datatype = unescape(m[5]);
          terms.push(term);
        }
      }
      if (terms.length === 3) {
        triples.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
      }
    }
    return triples;
  }

  // ------------------------------------------------------------------- the result area

  function clearResults() {
    ui.error.hidden = true;
    ui.error.replaceChildren();
    ui.notice.hidden = true;
    ui.notice.replaceChildren();
    ui.body.replaceChildren();
  }

  function showRunning(what) {
    clearResults();
    ui.status.textContent = what;
    ui.status.classList.add("running");
  }

  function seconds(ms) {
    return (ms / 1000).toFixed(2) + " s";
  }

  /** A server error (JSON from our endpoint, or plain text) as {status, message, line, column}. */
  function parseError(text, status) {
    try {
      const data = JSON.parse(text);
      if (data && data.error) return data.error;
    } catch (_) { /* not JSON */ }
    const found = { status: status, message: (text || "").trim() || "The request failed." };
    const first = /^(\d{3}) [^\n]*\n\n/.exec(found.message);
    if (first) {
      found.status = Number(first[1]);
      found.message = found.message.slice(first[0].length);
    }
    const line = /^line: (\d+)$/m.exec(found.message);
    const column = /^column: (\d+)$/m.exec(found.message);
    if (line) found.line = Number(line[1]);
    if (column) found.column = Number(column[1]);
    found.message = found.message.replace(/^\w[\w_]*: .*$/gm, "").trim() || found.message;
    return found;
  }

  let errorLine = null;
  function unmarkErrorLine() {
    if (errorLine !== null && yasqe) yasqe.removeLineClass(errorLine, "background", "query-error-line");
    errorLine = null;
  }

  function showError(error, fromEditor) {
    clearResults();
    ui.status.classList.remove("running");
    const status = error.status;
    const title = status === 503 ? "The query took too long or the server is busy (503)."
      : status === 400 ? "The query has an error (400)."
      : status ? "The query failed (" + status + ")." : "The query could not be sent.";
    ui.status.textContent = "No results.";
    ui.error.appendChild(el("strong", {}, title));
    if (error.line) {
      const where = "Line " + error.line + (error.column ? ", column " + error.column : "");
      const jump = el("button", { type: "button", class: "query-link-button error-position" }, where);
      jump.addEventListener("click", () => {
        if (!yasqe) return;
        yasqe.focus();
        yasqe.getDoc().setCursor({ line: error.line - 1, ch: Math.max((error.column || 1) - 1, 0) });
      });
      ui.error.append(" ", jump, ":");
      if (fromEditor && yasqe && error.line - 1 < yasqe.getDoc().lineCount()) {
        unmarkErrorLine();
        errorLine = error.line - 1;
        yasqe.addLineClass(errorLine, "background", "query-error-line");
      }
    }
    const message = error.message || "";
    if (message.length > LONG_MESSAGE) {
      // engines list every token they expected: show the start, the rest on demand
      ui.error.append(" ", message.slice(0, LONG_MESSAGE) + "…",
        el("details", {}, el("summary", {}, "Full message"), el("pre", {}, message)));
    } else {
      ui.error.append(" ", message);
    }
    ui.error.hidden = false;
  }

  /** Show an answer: SPARQL JSON results or N-Triples, with labels, counts and notices. */
  async function showAnswer(answer) {
    const type = (answer.contentType || "").split(";")[0].trim();
    const truncated = answer.headers.get("X-Result-Truncated");
    let columns = [];
    let rows = [];
    let unit = "row";
    if (type === JSON_RESULTS || type === "application/json") {
      const data = JSON.parse(answer.text);
      if (typeof data.boolean === "boolean") {
        clearResults();
        ui.status.classList.remove("running");
        ui.status.textContent = "ASK answered in " + seconds(answer.duration) + ".";
        ui.body.appendChild(el("p", { class: "ask-answer" }, "Answer: ",
          el("strong", {}, data.boolean ? "yes (true)" : "no (false)")));
        return;
      }
      columns = data.head.vars.map((v) => ({ name: v, head: "?" + v }));
      rows = data.results.bindings.map((b) => columns.map((c) => b[c.name]));
    } else if (type === "application/n-triples" || type === "text/plain") {
      unit = "triple";
      columns = ["subject", "predicate", "object"].map((v) => ({ name: v, head: v }));
      rows = parseNTriples(answer.text).map((t) => [t.subject, t.predicate, t.object]);
    } else {
      clearResults();
      ui.status.textContent = "The answer (" + type + ") in " + seconds(answer.duration) + ".";
      ui.body.appendChild(el("pre", { class: "query-text" }, answer.text));
      return;
    }
    const iris = [];
    for (const row of rows) for (const t of row) if (t && t.type === "uri") iris.push(t.value);
    const labels = iris.length ? await fetchLabels(iris) : new Map();
    clearResults();
    ui.status.classList.remove("running");
    const count = rows.length;
    ui.status.textContent = count + " " + unit + (count === 1 ? "" : "s") + " · "
      + seconds(answer.duration) + (answer.note ? " · " + answer.note : "");
    if (truncated) {
      const max = /max-rows=(\d+)/.exec(truncated);
      ui.notice.append(el("strong", {}, "The result was cut. "),
        "The server returns at most " + (max ? max[1] : config.maxRows) + " " + unit
        + "s per answer (its row cap), so what you see is only the beginning. Make the query "
        + "more selective, or page through it with LIMIT and OFFSET.");
      ui.notice.hidden = false;
    }
    ui.body.appendChild(renderTable(columns, rows, labels, answer.prefixes || {}));
  }

  function renderTable(columns, rows, labels, queryPrefixes) {
    const head = el("tr", {}, ...columns.map((c) => el("th", { scope: "col" }, c.head)));
    const body = el("tbody");
    for (const row of rows) {
      body.appendChild(el("tr", {}, ...row.map((t, i) =>
        el("td", { "data-label": columns[i].head }, renderTerm(t, labels, queryPrefixes)))));
    }
    return el("table", { class: "results", id: "result-table" }, el("thead", {}, head), body);
  }

  function renderTerm(term, labels, queryPrefixes) {
    if (!term) return null;
    if (term.type === "uri") {
      const label = labels.get(term.value);
      return el("a", { class: label ? "iri" : "iri raw", href: entityHref(term.value),
        title: term.value }, label || compact(term.value, queryPrefixes));
    }
    if (term.type === "bnode") return el("span", { class: "bnode" }, "_:" + term.value);
    if (term.type === "triple") {
      const t = term.value || {};
      return el("span", { class: "quoted-triple" }, "<< ",
        ...["subject", "predicate", "object"].flatMap((k) =>
          [renderTerm(t[k], labels, queryPrefixes), " "]), ">>");
    }
    const span = el("span", {}, el("span", { class: "literal" }, term.value));
    if (term["xml:lang"]) {
      span.append(" ", el("span", { class: "lang" }, "@" + term["xml:lang"]));
    } else if (term.datatype && term.datatype !== XSD_STRING && term.datatype !== LANG_STRING) {
      span.append(" ", el("span", { class: "datatype", title: term.datatype },
        compact(term.datatype, queryPrefixes)));
    }
    return span;
  }

  // ------------------------------------------------------------------ links of a query

  function setDownloads(links) {
    ui.downloads.replaceChildren();
    if (!links.length) return;
    ui.downloads.append("Download the result: ");
    links.forEach(([label, href], i) => {
      if (i) ui.downloads.append(" · ");
      ui.downloads.appendChild(el("a", { href: href, download: "" }, label));
    });
  }

  function isGraphQuery(kind) {
    return kind === "CONSTRUCT" || kind === "DESCRIBE";
  }

  function sparqlDownloads(text, kind) {
    const formats = isGraphQuery(kind)
      ? [["Turtle", "ttl"], ["N-Triples", "nt"], ["JSON-LD", "jsonld"]]
      : [["CSV", "csv"], ["JSON", "json"], ["TSV", "tsv"], ["XML", "xml"]];
    return formats.map(([label, fmt]) =>
      [label, config.endpoint + "?" + new URLSearchParams({ query: text, format: fmt })]);
  }

  function shareUrl(text) {
    return new URL(config.root + "/?" + new URLSearchParams({ query: text }), window.location.href).href;
  }

  function updateLinks() {
    const text = yasqe.getValue();
    ui.share.href = shareUrl(text);
    ui.share.textContent = "Share link to this query";
    setDownloads(sparqlDownloads(text, yasqe.getQueryType()));
  }

  // ------------------------------------------------------------------ the editor

  const Yasgui = window.Yasgui;
  let yasqe = null;
  if (!Yasgui || !Yasgui.Yasqe) {
    ui.status.textContent = "The editor library did not load; the form still sends queries to /sparql.";
    return;
  }
  const Yasqe = Yasgui.Yasqe;

  // Our vocabulary (classes and properties with their labels), fetched once from /sparql.
  const VOCABULARY_QUERY = [
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>",
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    "SELECT ?iri ?kind (SAMPLE(?l) AS ?label) WHERE {",
    "  { SELECT DISTINCT ?iri ?kind WHERE {",
    "      { [] a ?iri . BIND(\"class\" AS ?kind) }",
    "      UNION { ?iri a ?ct . VALUES ?ct { owl:Class rdfs:Class } BIND(\"class\" AS ?kind) }",
    "      UNION { [] ?iri [] . BIND(\"property\" AS ?kind) }",
    "      UNION { ?iri a ?pt . VALUES ?pt { rdf:Property owl:ObjectProperty owl:DatatypeProperty",
    "              owl:AnnotationProperty } BIND(\"property\" AS ?kind) }",
    "      FILTER(isIRI(?iri)) } }",
    "  OPTIONAL { ?iri rdfs:label|skos:prefLabel ?l . FILTER(LANG(?l) = \"en\" || LANG(?l) = \"\") }",
    "} GROUP BY ?iri ?kind",
  ].join("\n");
  let vocabulary = null;
  function loadVocabulary() {
    if (!vocabulary) {
      vocabulary = select(VOCABULARY_QUERY).then((data) => {
        const found = { class: new Map(), property: new Map() };
        for (const row of data.results.bindings) {
          found[row.kind.value].set(row.iri.value, row.label ? row.label.value : "");
        }
        vocabularyNow = found;
        return found;
      }).catch((err) => {
        vocabulary = null;  // try again next time
        console.warn("could not load the vocabulary for completion", err);
        return { class: new Map(), property: new Map() };
      });
    }
    return vocabulary;
  }

  /** Completions of a class or property: IRIs starting with what was typed, or whose local
   *  name or label contains it. */
  function completeTerms(kind, token) {
    return loadVocabulary().then((found) => {
      let typed = ((token && token.autocompletionString) || "").trim();
      const pname = /^([A-Za-z][\w.-]*)?:(.*)$/.exec(typed);
      if (pname && config.prefixes[pname[1] || ""] !== undefined) {
        typed = config.prefixes[pname[1] || ""] + pname[2];
      }
      const lower = typed.toLowerCase();
      const word = /^[\w-]*$/.test(typed);
      const hits = [];
      for (const [iri, label] of found[kind]) {
        const local = iri.replace(/^.*[#/]/, "").toLowerCase();
        if (!lower || iri.toLowerCase().startsWith(lower)
            || (word && (local.includes(lower) || label.toLowerCase().includes(lower)))) {
          hits.push(iri);
        }
      }
      return hits.sort().slice(0, 100);
    });
  }

  /** Show each suggestion with its label, muted, after it. */
  function labelledHints(kind) {
    return function (editor, hints) {
      const declared = editor.getPrefixesFromQuery();
      return loadVocabulary().then(() => hints.map((hint) => {
        let iri = hint.text;
        if (iri.startsWith("<")) iri = iri.slice(1, -1);
        else {
          const colon = iri.indexOf(":");
          const ns = declared[iri.slice(0, colon)];
          if (ns !== undefined) iri = ns + iri.slice(colon + 1);
        }
        const label = vocabularyLabel(kind, iri);
        hint.render = function (elt) {
          elt.appendChild(document.createTextNode(hint.text));
          if (label) elt.appendChild(el("span", { class: "hint-label" }, " " + label));
        };
        return hint;
      }));
    };
  }
  let vocabularyNow = { class: new Map(), property: new Map() };
  function vocabularyLabel(kind, iri) {
    return vocabularyNow[kind].get(iri) || "";
  }

  // Replace YASQE's completers that call prefix.cc and Linked Open Vocabularies.
  const prefixLines = Object.entries(config.prefixes).map(([p, ns]) => p + ": <" + ns + ">").sort();
  Yasqe.forkAutocompleter("prefixes", {
    name: "gfmd-prefixes", get: prefixLines, persistenceId: null, bulk: true,
  }, false);
  Yasqe.forkAutocompleter("class", {
    name: "gfmd-classes", persistenceId: null, bulk: false,
    get: (_editor, token) => completeTerms("class", token),
    postprocessHints: labelledHints("class"),
  }, false);
  Yasqe.forkAutocompleter("property", {
    name: "gfmd-properties", persistenceId: null, bulk: false,
    get: (_editor, token) => completeTerms("property", token),
    postprocessHints: labelledHints("property"),
  }, false);
  for (const name of ["prefixes", "class", "property"]) delete Yasqe.Autocompleters[name];
  const completers = ["gfmd-prefixes", "variables", "gfmd-properties", "gfmd-classes"];
  Yasqe.defaults.autocompleters = completers.slice();
  Yasqe.defaults.prefixCcApi = null;
  Yasqe.defaults.createShareableLink = null;  // our own share link, below the editor
  Yasqe.defaults.createShortLink = undefined;
  Yasqe.defaults.consumeShareLink = null;  // ?query= is put in the page by the server
  Yasqe.defaults.persistenceId = null;  // never reuse a query stored by an earlier visit

  const initialText = ui.textarea.value;
  ui.editor.hidden = false;
  yasqe = new Yasqe(ui.editor, {
    value: initialText,
    persistenceId: null,
    autocompleters: completers.slice(),
    showQueryButton: false,
    createShareableLink: null,
    consumeShareLink: null,
    resizeable: true,
    editorHeight: "18rem",
    screenReaderLabel: "SPARQL query",
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: JSON_RESULTS + ",application/json;q=0.5",
      acceptHeaderGraph: "application/n-triples,application/json;q=0.5",
      acceptHeaderUpdate: "text/plain,application/json;q=0.5",
    },
  });
  yasqe.setValue(initialText);
  yasqe.clearHistory();
  ui.textarea.hidden = true;
  ui.textarea.name = "";
  ui.label.removeAttribute("for");
  const input = yasqe.getInputField();
  input.id = "query-input";
  input.setAttribute("aria-labelledby", "query-label");
  ui.label.setAttribute("for", "query-input");
  ui.copy.hidden = !(navigator.clipboard && window.isSecureContext);
  window.gfmdQuery = { yasqe: yasqe, parseNTriples: parseNTriples };

  loadVocabulary();

  let editorStarted = 0;
  let editorKind = "SELECT";
  yasqe.on("query", () => {
    editorStarted = performance.now();
    editorKind = yasqe.getQueryType();
    unmarkErrorLine();
    showRunning("Running the query…");
    setDownloads(sparqlDownloads(yasqe.getValue(), editorKind));
  });
  yasqe.on("queryResponse", (_editor, response, duration) => {
    const elapsed = editorStarted ? performance.now() - editorStarted : duration;
    if (response instanceof Error || !response || !response.ok) {
      if (response && response.name === "AbortError") {
        ui.status.textContent = "The query was stopped.";
        return;
      }
      const message = response && response.message ? response.message : String(response);
      showError(/^Failed to fetch/.test(message)
        ? { message: "The server could not be reached: " + message }
        : parseError(message), true);
      return;
    }
    showAnswer({
      text: response.content, headers: response.headers, duration: elapsed,
      contentType: response.headers.get("Content-Type"),
      prefixes: yasqe.getPrefixesFromQuery(),
    }).catch((err) => showError({ message: "The answer could not be shown: " + err }));
  });
  yasqe.on("change", () => {
    unmarkErrorLine();
    updateLinks();
  });
  updateLinks();

  function runEditor() {
    yasqe.query().catch(() => { /* shown by the queryResponse handler */ });
  }
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    runEditor();
  });
  ui.label.addEventListener("click", (event) => {
    event.preventDefault();
    yasqe.focus();
  });
  ui.copy.addEventListener("click", () => {
    navigator.clipboard.writeText(ui.share.href).then(() => { ui.copy.textContent = "Copied"; });
  });

  // ------------------------------------------------------------------ named queries

  function loadNamed(name) {
    const named = config.namedQueries[name];
    if (!named) return null;
    yasqe.setValue(named.text);
    yasqe.clearHistory();
    return named;
  }

  for (const button of document.querySelectorAll(".load-query")) {
    button.addEventListener("click", () => {
      const named = loadNamed(button.dataset.name);
      if (!named) return;
      clearResults();
      ui.status.textContent = "Loaded “" + named.title + "” into the editor: press Run query or Ctrl-Enter."
        + (named.parameters.length ? " Its parameters (" + named.parameters.map((p) => "?" + p).join(", ")
          + ") are unbound in the editor; use its form to run it with values bound." : "");
      ui.editor.scrollIntoView({ block: "nearest" });
      yasqe.focus();
    });
  }
  for (const button of document.querySelectorAll(".run-named")) {
    button.addEventListener("click", () => {
      if (loadNamed(button.dataset.name)) {
        ui.editor.scrollIntoView({ block: "nearest" });
        runEditor();
      }
    });
  }
  for (const form of document.querySelectorAll(".param-form[data-name]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      runNamed(form).catch((err) => showError({ message: String(err) }));
    });
  }

  /** Run a named query with its form's values bound by the server (/queries/<name>.json). */
  async function runNamed(form) {
    const name = form.dataset.name;
    const named = loadNamed(name);
    if (!named) return;
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) params.append(key, String(value));
    const graph = isGraphQuery(named.form);
    const base = config.queries + "/" + encodeURIComponent(name);
    const suffix = graph ? "nt" : "json";
    const qs = params.toString() ? "?" + params : "";
    document.getElementById("results").scrollIntoView({ block: "start" });
    showRunning("Running “" + named.title + "”…");
    const started = performance.now();
    let response;
    try {
      response = await fetch(base + "." + suffix + qs, { headers: { Accept: "application/json" } });
    } catch (err) {
      showError({ message: "The server could not be reached: " + err });
      return;
    }
    const text = await response.text();
    const duration = performance.now() - started;
    const formats = graph ? [["Turtle", "ttl"], ["N-Triples", "nt"], ["JSON-LD", "jsonld"]]
      : [["CSV", "csv"], ["JSON", "json"], ["TSV", "tsv"], ["XML", "xml"]];
    setDownloads(formats.map(([label, fmt]) => [label, base + "." + fmt + qs]));
    ui.share.href = new URL(base + qs, window.location.href).href;
    ui.share.textContent = "Link to “" + named.title + "” with these values";
    if (!response.ok) {
      showError(parseError(text, response.status), false);
      return;
    }
    const bound = [...params].map(([k, v]) => k + " = " + v).join(", ");
    await showAnswer({
      text: text, headers: response.headers, duration: duration,
      contentType: response.headers.get("Content-Type"),
      note: "“" + named.title + "”" + (bound ? " with " + bound : ""),
      prefixes: yasqe.getPrefixesFromQuery(),
    });
  }
})();
