/* The genealogy graph: nodes in columns by depth, links labelled with quantities; a click on a
   node traces from it. Data comes from the page (json_script); nothing is fetched. */
(function () {
  "use strict";
  var font = '"Noto Sans SC", "Microsoft YaHei", sans-serif';
  var colours = { transformation: "#1456d8", aggregation: "#12a37f", association: "#f08a24" };

  function draw() {
    var node = document.querySelector("[data-genealogy-chart]");
    if (!node) { return; }
    var d = JSON.parse(document.getElementById(node.dataset.source).textContent);
    var chart = echarts.init(node, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    var links = {};
    d.nodes.forEach(function (n) { links[n.name] = n.link; });
    chart.on("click", function (p) {
      if (p.dataType === "node" && links[p.data.name]) { window.location.href = links[p.data.name]; }
    });
    chart.setOption({
      textStyle: { fontFamily: font },
      tooltip: {
        formatter: function (p) {
          var encode = echarts.format.encodeHTML;
          if (p.dataType === "edge") { return encode(p.data.kind + (p.data.quantity ? " · " + p.data.quantity : "")); }
          return encode(p.data.name) + (p.data.steps.length ? "<br>" + encode(p.data.steps.join("、")) : "");
        }
      },
      series: [{
        type: "graph", layout: "none", roam: true, symbolSize: 16, cursor: "pointer",
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
        label: { show: true, position: "bottom", color: "#1b2533", fontSize: 11, formatter: function (p) { return p.data.label; } },
        edgeLabel: { show: true, fontSize: 10, color: "#4a5668", formatter: function (p) { return p.data.quantity; } },
        data: d.nodes.map(function (n) {
          return { name: n.name, label: n.label, steps: n.steps, x: n.x, y: n.y,
                   itemStyle: { color: n.depth === 0 ? "#e5484d" : "#1456d8" } };
        }),
        links: d.edges.map(function (e) {
          return { source: e.source, target: e.target, kind: e.kind, quantity: e.quantity,
                   lineStyle: { color: colours[e.kind] || "#7b8799", width: 1.5, curveness: 0.1 } };
        })
      }]
    });
    node.dataset.rendered = "true";
  }

  function start() { window.parkbrainWhenFontsReady(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
