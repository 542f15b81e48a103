(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);

  // Every piece of graph text reaches the page through textContent: never innerHTML.
{% include "dom_helpers.js" %}
  function issueLine(word, ref) {
    var d = el("div", "kg-tip-meta", word + ": ");
    d.appendChild(link(ref.url, ref.label));
    d.appendChild(document.createTextNode(" (" + (ref.date || "undated") + ")"));
    return d;
  }
  function details(node) {
    var k = node.kg, box = el("div", "kg-tip");
    var names = [];
    Object.keys(k.labels).forEach(function (lang) {
      names.push(k.labels[lang] + (lang ? " (" + lang + ")" : ""));
    });
    box.appendChild(el("div", "kg-tip-name", names.length ? names.join(" / ") : node.label));
    if (k.alt.length) box.appendChild(el("div", "kg-tip-meta", "also: " + k.alt.join(", ")));
    box.appendChild(el("div", "kg-tip-meta",
      k.type + " · " + k.mentions + (k.mentions === 1 ? " mention" : " mentions") + " in " + k.issues +
      (k.issues === 1 ? " issue" : " issues") + (k.discovered ? " · discovered" : "")));
    if (k.first) box.appendChild(issueLine("first", k.first));
    if (k.last) box.appendChild(issueLine("last", k.last));
    if (k.homepage) { var h = el("div", "kg-tip-meta", "home: "); h.appendChild(link(k.homepage, k.homepage)); box.appendChild(h); }
    if (k.evidence.length) {
      k.evidence.forEach(function (t) { box.appendChild(el("blockquote", null, t)); });
    }
    if (k.sources.length) {
      box.appendChild(el("div", "kg-tip-meta", "sources:"));
      var ul = el("ul");
      k.sources.forEach(function (ref) {
        var li = el("li"); li.appendChild(link(ref.url, ref.label));
        if (ref.date) li.appendChild(document.createTextNode(" " + ref.date));
        ul.appendChild(li);
      });
      if (k.more_sources) ul.appendChild(el("li", null, "… and " + k.more_sources + " more"));
      box.appendChild(ul);
    }
    box.appendChild(el("div", "kg-tip-meta", k.iri));
    return box;
  }

  var byName = {};
  var datalist = document.getElementById("kg-names");
  data.nodes.forEach(function (n) {
    n.title = details(n);  // vis shows an Element as is, and a string with innerText
    var keys = [n.label, n.kg.iri].concat(Object.values(n.kg.labels), n.kg.alt);
    keys.forEach(function (key) {
      var folded = String(key).toLocaleLowerCase();
      if (!(folded in byName)) byName[folded] = n.id;
    });
    var opt = document.createElement("option");
    opt.value = n.label;
    datalist.appendChild(opt);
  });

  var legend = document.getElementById("kg-legend");
  data.legend.forEach(function (item) {
    var span = el("span", "kg-legend-item");
    var sw = el("span", "kg-swatch"); sw.style.background = item.color;
    span.appendChild(sw);
    span.appendChild(document.createTextNode(item.type + " (" + item.count + ")"));
    legend.appendChild(span);
  });

  var large = data.nodes.length > 300;
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var options = {
    nodes: { shape: "dot", font: { size: 14, strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      color: { color: "#9a9a9a", highlight: "#333333", hover: "#555555" },
      font: { size: 10, color: "#555555", strokeWidth: 2, align: "middle" },
      smooth: data.physics ? { type: "continuous" } : false
    },
    interaction: { hover: !large, tooltipDelay: 150, hideEdgesOnDrag: large, hideEdgesOnZoom: large },
    layout: { improvedLayout: data.physics && data.nodes.length <= 150, randomSeed: 7 },
    physics: data.physics ? {
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -80, springLength: 110, avoidOverlap: 0.3 },
      stabilization: { enabled: true, iterations: 400, updateInterval: 40, fit: true }
    } : { enabled: false }
  };
  var network = new vis.Network(document.getElementById("kg-network"), { nodes: nodes, edges: edges }, options);
  var loading = document.getElementById("kg-loading");
  var status = document.getElementById("kg-status");
  var panel = document.getElementById("kg-details");

  var api = { network: network, nodes: nodes, edges: edges, ready: false, focusNode: focusNode };
  window.kg = api;

  function markReady() {
    if (api.ready) return;
    api.ready = true;
    loading.hidden = true;
    document.body.dataset.ready = "1";
  }
  if (data.physics && data.nodes.length) {
    network.on("stabilizationProgress", function (p) {
      loading.textContent = "Laying out… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    // Stabilise once, then freeze: the picture stays still while the reader works.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit({ animation: false });
      markReady();
    });
  } else {
    network.once("afterDrawing", function () { network.fit({ animation: false }); markReady(); });
  }

  function showDetails(id) {
    var n = nodes.get(id);
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    if (!n) { panel.hidden = true; return; }
    panel.appendChild(details(n));
    panel.hidden = false;
  }
  function focusNode(name) {
    var key = String(name || "").trim().toLocaleLowerCase();
    if (!key) { status.textContent = ""; return null; }
    var id = byName[key];
    if (id === undefined) {
      // Fall back to the first label that starts with what was typed.
      var hit = data.nodes.find(function (n) { return n.label.toLocaleLowerCase().indexOf(key) === 0; });
      id = hit ? hit.id : undefined;
    }
    if (id === undefined) { status.textContent = "not found"; return null; }
    status.textContent = "";
    network.selectNodes([id]);
    network.focus(id, { scale: 1.4, animation: false });
    showDetails(id);
    return id;
  }
  network.on("selectNode", function (p) { showDetails(p.nodes[0]); });
  network.on("deselectNode", function () { panel.hidden = true; });

  var search = document.getElementById("kg-search");
  search.addEventListener("change", function () { focusNode(search.value); });
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") focusNode(search.value); });
})();
