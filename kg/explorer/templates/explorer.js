(function () {
  "use strict";
  // Every piece of graph or issue text reaches the page through textContent / text nodes: never innerHTML.
  var timing = { start: performance.now() }; // ms since navigation: the benchmark reads them
  var boot = JSON.parse(document.getElementById("kg-data").textContent);

{% include "dom_helpers.js" %}
  function $(id) { return document.getElementById(id); }

  // ---------------------------------------------------------------- the live page's requests (same origin only)
  function fetchJSON(url, body) {
    var init = body === undefined ? { credentials: "same-origin" } :
      { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    return fetch(url, init).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error("HTTP " + r.status + ": " + t.trim()); });
      return r.json();
    });
  }
  function say(text) { $("kg-budget").textContent = text; }

  if (boot.live) {
    say("Loading the most mentioned entities from the endpoint…");
    fetchJSON(boot.live).then(start, function (err) { say("Could not load the graph: " + err.message); });
  } else {
    start(boot);
  }

  function start(data) {
  timing.parsed = performance.now();
  var E = data.entities, I = data.issues;
  var live = data.live || null; // routes of `kg serve` (/explore/…): search, neighbours and evidence are asked there
  var COLORS = {
    Project: "#4e79a7", Release: "#f28e2b", Feature: "#59a14f", KEP: "#e15759", Person: "#b07aa1",
    Organization: "#76b7b2", Article: "#9c755f", Technology: "#edc948", Event: "#ff9da7", Vulnerability: "#d62728"
  };
  var LABEL_ZOOM = 1.1; // edge labels show at this zoom and above (and always on hover)

  // ---------------------------------------------------------------- adjacency
  var adj = E.map(function () { return []; });
  var byIri = {}, edgeKeys = {};
  E.forEach(function (e, n) { byIri[e.iri] = n; });
  data.edges.forEach(function (x, n) {
    adj[x.from].push(n); adj[x.to].push(n); edgeKeys[x.from + " " + x.to + " " + x.predicate] = true;
  });
  function totalOf(e) { var t = 0; for (var k = 1; k < e.mentions.length; k += 2) t += e.mentions[k]; return t; }

  // A piece from the endpoint: entity records like the file's and edges naming their ends by IRI.
  function merge(piece) {
    piece.entities.forEach(function (rec) {
      var n = byIri[rec.iri];
      if (n === undefined) {
        rec.drawn = false; rec.total = totalOf(rec);
        byIri[rec.iri] = E.length; E.push(rec); adj.push([]);
      } else if (rec.evidence.length > E[n].evidence.length) {
        E[n].evidence = rec.evidence;
      }
    });
    piece.edges.forEach(function (x) {
      var a = byIri[x.from], b = byIri[x.to];
      if (a === undefined || b === undefined) return;
      var key = a + " " + b + " " + x.predicate;
      if (edgeKeys[key]) return;
      edgeKeys[key] = true;
      var n = data.edges.length;
      data.edges.push(x.count === undefined ? { from: a, to: b, predicate: x.predicate } : { from: a, to: b, predicate: x.predicate, count: x.count });
      adj[a].push(n); adj[b].push(n);
    });
  }
  // Live: the entity's neighbours (and their edges to what the page holds) are asked for once, then merged.
  var asked = {};
  function withNeighbours(n, then) {
    if (!live || asked[n]) { then(); return; }
    say("Asking the endpoint for the neighbours of " + E[n].label + "…");
    fetchJSON(live.neighbours, { iri: E[n].iri, known: Object.keys(byIri) }).then(function (piece) {
      asked[n] = true; merge(piece); then();
    }, function (err) { say("Could not expand " + E[n].label + ": " + err.message); });
  }

  // ---------------------------------------------------------------- filter state
  var state = {
    types: {}, series: {}, from: 0, to: Math.max(0, I.length - 1), min: Math.max(1, data.min_mentions || 1),
    shown: {} // entity index -> true: drawn, expanded or searched in
  };
  data.types.forEach(function (t) { state.types[t] = true; });
  data.series.forEach(function (s, n) { state.series[n] = true; });
  // The period slider walks the dated issues in date order (undated ones sort last and always count).
  var dated = I.filter(function (i) { return i.date; }).length;
  state.to = Math.max(0, dated - 1);

  function mentionsNow(e) {
    var m = e.mentions, total = 0;
    for (var k = 0; k < m.length; k += 2) {
      var i = m[k], issue = I[i];
      if (!state.series[issue.series]) continue;
      if (issue.date && (i < state.from || i > state.to)) continue;
      total += m[k + 1];
    }
    return total;
  }
  function passes(n) {
    var e = E[n];
    return state.types[e.type] && mentionsNow(e) >= state.min;
  }

  // ---------------------------------------------------------------- vis
  var most = 1;
  E.forEach(function (e) { e.total = totalOf(e); if (e.drawn && e.total > most) most = e.total; });
  function nodeOf(n) {
    var e = E[n], color = COLORS[e.type] || "#bab0ac";
    // Colours come from the type's group (per-node option objects made vis slow to take 2,000 nodes).
    var node = { id: n, label: e.label, group: e.type, size: Math.round(8 + 26 * Math.sqrt(Math.min(e.total, most) / most)) };
    if (e.focus) { node.color = { background: color, border: "#222" }; node.borderWidth = 3; }
    if (e.x !== undefined) { node.x = e.x; node.y = e.y; }
    return node;
  }
  function edgeOf(n) {
    var x = data.edges[n], co = x.predicate === "coMentioned";
    var edge = { id: n, from: x.from, to: x.to, kgLabel: co ? "co-mentioned in " + x.count + " sentences" : x.predicate,
      title: E[x.from].label + " —" + (co ? "co-mentioned ×" + x.count : x.predicate) + "→ " + E[x.to].label };
    if (labelsOn && !co) edge.label = edge.kgLabel;
    if (co) {
      edge.dashes = true; edge.arrows = { to: { enabled: false } };
      edge.color = { color: "#cfcfcf", highlight: "#888" }; edge.width = Math.min(6, 1 + Math.log2(x.count));
    }
    return edge;
  }
  var nodes = new vis.DataSet([]), edges = new vis.DataSet([]);
  // The network is made once the first nodes are in the DataSets: vis then reads them in one pass
  // (adding 2,000 nodes to a live network cost a second).
  var network = null;
  var GROUPS = {};
  Object.keys(COLORS).forEach(function (t) { GROUPS[t] = { color: { background: COLORS[t], border: COLORS[t],
    highlight: { background: COLORS[t], border: "#222" }, hover: { background: COLORS[t], border: "#555" } } }; });
  var OPTIONS = {
    groups: GROUPS,
    physics: false,
    layout: { improvedLayout: false }, // every node comes with a position
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: true },
    nodes: { shape: "dot", font: { face: "system-ui, sans-serif", size: 14 } },
    edges: { arrows: { to: { enabled: true, scaleFactor: 0.5 } }, font: { face: "system-ui, sans-serif", size: 12, align: "middle" },
      color: { color: "#9aa5b1", highlight: "#333" }, smooth: false },
  };

  function place(n, near) {
    // A node brought in next to one on screen: on a ring around it, away from its neighbours' spots.
    if (E[n].x !== undefined && near === undefined) return;
    var centre = near !== undefined && nodes.get(near) ? network.getPosition(near) : { x: 0, y: 0 };
    // A sunflower spiral around the anchor: each new node at its own angle, the spiral widening as they come.
    var key = near === undefined ? "none" : near;
    place.counts = place.counts || {};
    var k = (place.counts[key] = (place.counts[key] || 0) + 1);
    var angle = k * 2.39996, r = 110 + 45 * Math.sqrt(k);
    E[n].x = centre.x + r * Math.cos(angle); E[n].y = centre.y + r * Math.sin(angle);
  }

  function refresh() {
    var want = {}, ids = [];
    Object.keys(state.shown).forEach(function (k) { var n = +k; if (passes(n)) { want[n] = true; ids.push(n); } });
    var drop = nodes.getIds().filter(function (n) { return !want[n]; });
    nodes.remove(drop);
    var add = ids.filter(function (n) { return !nodes.get(n); });
    nodes.add(add.map(nodeOf));
    var ewant = {};
    ids.forEach(function (n) { adj[n].forEach(function (x) { var e = data.edges[x]; if (want[e.from] && want[e.to]) ewant[x] = true; }); });
    edges.remove(edges.getIds().filter(function (x) { return !ewant[x]; }));
    edges.add(Object.keys(ewant).map(Number).filter(function (x) { return !edges.get(x); }).map(edgeOf));
    updateLabels();
    budgetLine();
    legendCounts();
  }

  // Edge labels: hidden when zoomed out (unreadable), shown at a readable zoom or on hover.
  var labelsOn = false;
  function updateLabels() {
    if (!network) return;
    var on = network.getScale() >= LABEL_ZOOM && edges.length <= 1500;
    if (on === labelsOn) return;
    labelsOn = on;
    // Relations get their names; co-mentions (context, many) only on hover.
    edges.update(edges.get({ filter: function (e) { return !e.dashes; } }).map(function (e) {
      return { id: e.id, label: on ? e.kgLabel : "" };
    }));
  }

  // ---------------------------------------------------------------- actions
  function expand(n) {
    var added = 0;
    adj[n].forEach(function (x) {
      var e = data.edges[x], other = e.from === n ? e.to : e.from;
      if (!state.shown[other]) { state.shown[other] = true; if (!nodes.get(other)) place(other, n); added++; }
    });
    return added;
  }
  function bring(n) {
    state.shown[n] = true;
    if (E[n].x === undefined) {
      var anchor = adj[n].map(function (x) { var e = data.edges[x]; return e.from === n ? e.to : e.from; })
        .filter(function (o) { return nodes.get(o); })[0];
      place(n, anchor);
    }
    expand(n);
    refresh();
    if (nodes.get(n)) {
      network.selectNodes([n]);
      network.focus(n, { scale: Math.max(network.getScale(), 1.0), animation: false });
      updateLabels(); // moving the view by code sends no "zoom" event
    }
    panel(n);
  }
  function focusOn(n) {
    state.shown = {}; state.shown[n] = true; expand(n); refresh();
    network.fit({ nodes: nodes.getIds(), animation: false });
    updateLabels();
    network.selectNodes([n]); panel(n);
  }

  // ---------------------------------------------------------------- side panel
  function segmentsTo(parent, segs) {
    segs.forEach(function (s) { parent.appendChild(s.length > 1 ? link(s[1], s[0]) : document.createTextNode(s[0])); });
  }
  function issueLink(i) {
    var issue = I[i], span = el("span");
    span.appendChild(link(issue.url, issue.title));
    span.appendChild(document.createTextNode(" (" + (issue.date || "undated") + ")"));
    return span;
  }
  var full = {}, shownInPanel = null;
  function panel(n) {
    if (live && !full[n]) {
      // One entity's evidence, as a drawn entity gets it in a file: asked when its panel opens.
      full[n] = true;
      fetchJSON(live.entity + "?iri=" + encodeURIComponent(E[n].iri)).then(function (piece) {
        merge(piece);
        if (shownInPanel === n) panel(n);
      }, function (err) { full[n] = false; say("Could not read the evidence of " + E[n].label + ": " + err.message); });
    }
    shownInPanel = n;
    var e = E[n], box = $("kg-panel");
    box.textContent = "";
    var close = el("button", "kg-close", "×"); close.type = "button"; close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () { box.hidden = true; shownInPanel = null; });
    box.appendChild(close);
    box.appendChild(el("h2", null, e.label));
    box.appendChild(el("div", null, e.type + (e.focus ? " · focus" : "")));
    if (e.aliases.length) box.appendChild(el("div", null, "Also: " + e.aliases.join(", ")));
    // Counts per series, inside the chosen period and series.
    var per = {}, issues = {}, first = null, last = null;
    for (var k = 0; k < e.mentions.length; k += 2) {
      var i = e.mentions[k], issue = I[i];
      if (!state.series[issue.series] || (issue.date && (i < state.from || i > state.to))) continue;
      per[issue.series] = (per[issue.series] || 0) + e.mentions[k + 1];
      issues[issue.series] = (issues[issue.series] || 0) + 1;
      if (first === null) first = i;
      last = i;
    }
    box.appendChild(el("h3", null, "Mentions"));
    var table = el("table");
    data.series.forEach(function (s, sn) {
      if (!per[sn]) return;
      var tr = el("tr"); tr.appendChild(el("th", null, s.label));
      tr.appendChild(el("td", null, per[sn] + (per[sn] === 1 ? " mention" : " mentions") + " in " + issues[sn] + (issues[sn] === 1 ? " issue" : " issues")));
      table.appendChild(tr);
    });
    if (!table.firstChild) table.appendChild(el("tr")).appendChild(el("td", null, "none in this period"));
    box.appendChild(table);
    if (first !== null) {
      var f = el("div", null, "First: "); f.appendChild(issueLink(first)); box.appendChild(f);
      var l = el("div", null, "Last: "); l.appendChild(issueLink(last)); box.appendChild(l);
    }
    if (e.evidence.length) {
      box.appendChild(el("h3", null, "Evidence"));
      e.evidence.forEach(function (ev) {
        var q = el("blockquote"); segmentsTo(q, ev.text);
        var src = el("span", "kg-source", "— "); src.appendChild(issueLink(ev.issue)); q.appendChild(src);
        box.appendChild(q);
      });
    }
    var around = adj[n].length;
    box.appendChild(el("h3", null, "Connections"));
    box.appendChild(el("div", null, around + (around === 1 ? " edge" : " edges") + (live ? " known so far" : " in this file") +
      " (click expands them, double-click focuses)."));
    var iri = el("div", "kg-source", e.iri); box.appendChild(iri);
    box.hidden = false;
  }

  // ---------------------------------------------------------------- search over every entity
  var search = $("kg-search"), results = $("kg-results");
  var names = E.map(function (e) { return [e.label].concat(e.aliases).join("\u0001").toLowerCase(); });
  function showHits(q, hits, none) {
    results.textContent = "";
    hits.sort(function (a, b) {
      var ea = E[a].label.toLowerCase() === q ? 0 : 1, eb = E[b].label.toLowerCase() === q ? 0 : 1;
      return ea - eb || E[b].total - E[a].total;
    });
    if (!hits.length) results.appendChild(el("li", "kg-hint", none));
    hits.slice(0, 15).forEach(function (n) {
      var li = el("li"), b = el("button", null, E[n].label);
      b.type = "button"; b.dataset.entity = String(n);
      b.appendChild(el("span", "kg-hint", " " + E[n].type + " · " + E[n].total + (nodes.get(n) ? "" : " · not drawn")));
      b.addEventListener("click", function () {
        results.hidden = true; search.value = E[n].label; withNeighbours(n, function () { bring(n); });
      });
      li.appendChild(b); results.appendChild(li);
    });
    results.hidden = false;
  }
  var searchTimer = null, searchSeq = 0;
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    if (!q) { results.textContent = ""; results.hidden = true; return; }
    if (live) {
      // Every entity of the graph: one query per search (after a pause in typing), the newest answer wins.
      clearTimeout(searchTimer);
      var seq = ++searchSeq;
      searchTimer = setTimeout(function () {
        fetchJSON(live.search + "?q=" + encodeURIComponent(q)).then(function (piece) {
          if (seq !== searchSeq) return;
          merge(piece);
          showHits(q, piece.order.map(function (iri) { return byIri[iri]; }).filter(function (n) { return n !== undefined; }),
            "No entity of the graph is named so.");
        }, function (err) { say("Search failed: " + err.message); });
      }, 200);
      return;
    }
    var hits = [];
    for (var n = 0; n < E.length && hits.length < 30; n++) if (names[n].indexOf(q) >= 0) hits.push(n);
    showHits(q, hits, "Not in this file's " + E.length + " entities.");
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var b = results.querySelector("button"); if (b) b.click(); }
    if (ev.key === "Escape") results.hidden = true;
  });

  // ---------------------------------------------------------------- controls
  var legend = $("kg-legend"), legendItems = {};
  data.types.forEach(function (t) {
    var b = el("button", "kg-type"); b.type = "button"; b.dataset.type = t; b.setAttribute("aria-pressed", "true");
    var sw = el("span", "kg-swatch"); sw.style.background = COLORS[t] || "#bab0ac";
    b.appendChild(sw); b.appendChild(document.createTextNode(t + " ")); var c = el("span", "kg-hint"); b.appendChild(c);
    b.addEventListener("click", function () {
      state.types[t] = !state.types[t]; b.setAttribute("aria-pressed", String(state.types[t])); refresh();
    });
    legendItems[t] = c; legend.appendChild(b);
  });
  function legendCounts() {
    var counts = {};
    nodes.getIds().forEach(function (n) { counts[E[n].type] = (counts[E[n].type] || 0) + 1; });
    data.types.forEach(function (t) { legendItems[t].textContent = String(counts[t] || 0); });
  }
  var seriesBox = $("kg-series");
  data.series.forEach(function (s, n) {
    var label = el("label"), box = el("input"); box.type = "checkbox"; box.checked = true; box.value = s.slug;
    box.addEventListener("change", function () { state.series[n] = box.checked; refresh(); });
    label.appendChild(box); label.appendChild(document.createTextNode(" " + s.label)); seriesBox.appendChild(label);
  });
  var from = $("kg-from"), to = $("kg-to");
  from.max = to.max = String(Math.max(0, dated - 1)); from.value = "0"; to.value = String(state.to);
  function dates() {
    $("kg-from-date").textContent = dated ? I[state.from].date : "";
    $("kg-to-date").textContent = dated ? I[state.to].date : "";
  }
  from.addEventListener("input", function () { state.from = Math.min(+from.value, state.to); from.value = String(state.from); dates(); refresh(); });
  to.addEventListener("input", function () { state.to = Math.max(+to.value, state.from); to.value = String(state.to); dates(); refresh(); });
  $("kg-min").value = String(state.min);
  $("kg-min").addEventListener("input", function () { state.min = Math.max(1, parseInt(this.value, 10) || 1); refresh(); });
  $("kg-reset").addEventListener("click", function () { reset(); network.fit({ animation: false }); });

  function budgetLine() {
    var drawnAll = 0; E.forEach(function (e) { if (e.drawn) drawnAll++; });
    var first = (data.focus ? "Drawn first: \u201c" + data.focus + "\u201d and its nearest neighbours, " : "Drawn first: the most mentioned, ") +
      "budget " + data.budget;
    if (live) {
      say("Showing " + nodes.length + " of the graph's " + data.in_window + " mentioned entities (" + edges.length + " edges). " + first +
        "; search reaches every entity of the graph, a click on a node asks the endpoint for its neighbours.");
      return;
    }
    var text = "Showing " + nodes.length + " of " + E.length + " entities in this file (" + edges.length + " edges). " + first +
      "; the other " + Math.max(0, E.length - drawnAll) +
      " are left out of the picture: search for them, or click a node to expand its neighbours.";
    if (data.in_window > E.length) {
      text += " " + (data.in_window - E.length) + " less mentioned entities of this window are not in the file (cap " + data.cap +
        "): narrow it with kg explore --focus NAME, --series or --since/--until, or explore the whole graph live with kg serve (/explore).";
    }
    say(text);
  }

  function reset() {
    state.shown = {};
    E.forEach(function (e, n) { if (e.drawn) state.shown[n] = true; });
    refresh();
  }
  dates();
  reset();
  network = new vis.Network($("kg-network"), { nodes: nodes, edges: edges }, OPTIONS);
  network.on("zoom", updateLabels);
  network.on("hoverEdge", function (p) { edges.update({ id: p.edge, label: edges.get(p.edge).kgLabel }); });
  network.on("blurEdge", function (p) {
    var e = edges.get(p.edge);
    if (e && (!labelsOn || e.dashes)) edges.update({ id: p.edge, label: "" });
  });
  network.on("click", function (p) {
    if (p.nodes.length) {
      var n = p.nodes[0];
      withNeighbours(n, function () { expand(n); refresh(); network.selectNodes([n]); panel(n); });
    }
  });
  network.on("doubleClick", function (p) {
    if (p.nodes.length) { var n = p.nodes[0]; withNeighbours(n, function () { focusOn(n); }); }
  });
  network.fit({ animation: false });
  updateLabels();

  timing.built = performance.now();
  window.kg = { network: network, nodes: nodes, edges: edges, data: data, state: state, refresh: refresh, bring: bring,
    focusOn: focusOn, updateLabels: updateLabels, timing: timing, live: live, byIri: byIri };
  network.once("afterDrawing", function () { timing.drawn = performance.now(); document.body.dataset.ready = "1"; });
  network.redraw();
  }
})();
