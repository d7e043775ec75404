// The neighbourhood graph of an entity page, drawn with vis-network. The data comes from
// the page (a JSON script element written with |tojson); clicking a node opens its page.
(function () {
  "use strict";
  var holder = document.getElementById("neighbourhood");
  var source = document.getElementById("neighbourhood-data");
  if (!holder || !source) { return; }
  if (typeof vis === "undefined") {
    holder.textContent = "The graph library did not load; the links are listed below.";
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#0f5c8c", "#2e7d32", "#8a5a00", "#6a3fa0", "#b3261e", "#00796b",
                 "#5d4037", "#455a64", "#ad1457", "#33691e"];
  var groups = {};
  data.nodes.forEach(function (n) {
    if (!(n.group in groups)) {
      groups[n.group] = palette[Object.keys(groups).length % palette.length];
    }
  });
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var colour = n.center ? "#123b5c" : groups[n.group];
    return {
      id: n.id, label: n.label, url: n.url, shape: "box",
      color: { background: n.center ? colour : "#ffffff", border: colour,
               highlight: { background: "#fff8e1", border: "#f0b429" },
               hover: { background: "#fff8e1", border: "#f0b429" } },
      font: { color: n.center ? "#ffffff" : "#1d2a33", size: n.center ? 16 : 14 },
      widthConstraint: { maximum: n.center ? 180 : 130 },
      borderWidth: n.center ? 2 : 1, margin: 6
    };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    return {
      id: i, from: e.from, to: e.to, label: e.label, arrows: "to", dashes: e.inferred,
      color: { color: e.inferred ? "#9a86b8" : "#8a99a6" },
      font: { size: 11, color: "#5b6b77", strokeWidth: 3, align: "middle" },
      length: 150
    };
  }));
  var network = new vis.Network(holder, { nodes: nodes, edges: edges }, {
    layout: { randomSeed: 7 },
    physics: { solver: "forceAtlas2Based", stabilization: { iterations: 300 },
               forceAtlas2Based: { gravitationalConstant: -45, springLength: 120,
                                   avoidOverlap: 0.6 } },
    interaction: { hover: true, dragView: true, zoomView: false, navigationButtons: false }
  });
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    network.fit();
    holder.setAttribute("data-ready", "true");
  });
  network.on("click", function (params) {
    if (!params.nodes.length) { return; }
    var node = nodes.get(params.nodes[0]);
    // only paths on this server (they start with one "/") are followed
    if (node && node.id !== data.center && /^\/[^\/]/.test(node.url)) {
      window.location.assign(node.url);
    }
  });
  network.on("hoverNode", function () { holder.style.cursor = "pointer"; });
  network.on("blurNode", function () { holder.style.cursor = "default"; });
  window.gfmdNeighbourhood = network;
})();
