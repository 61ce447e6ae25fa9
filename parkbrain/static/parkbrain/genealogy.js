/* The genealogy graph: nodes in columns by process step (the start on the left), links
   labelled with quantities; a node leading to more than fanoutMax shows fanoutShown of them and
   a "+N" group that opens on a click; a click on a node traces from it. The graph and the
   table are two tabs. Data comes from the page (json_script); nothing is fetched. */
(function () {
  "use strict";
  var font = '"Noto Sans SC", "Microsoft YaHei", sans-serif';
  var colours = { transformation: "#1456d8", aggregation: "#12a37f", association: "#f08a24" };
  var COLUMN = 200, ROW = 68, TOP = 50, LABEL = COLUMN - 36;

  function tabs() {
    var buttons = document.querySelectorAll(".trace-tabs [role=tab]");
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        buttons.forEach(function (other) {
          var chosen = other === button;
          other.setAttribute("aria-selected", chosen ? "true" : "false");
          document.getElementById(other.getAttribute("aria-controls")).hidden = !chosen;
        });
        window.dispatchEvent(new Event("resize"));
      });
    });
  }

  /* The nodes and links shown while the groups not in `opened` stay closed. */
  function visible(d, opened) {
    var next = {}, byName = {};
    d.nodes.forEach(function (n) { byName[n.name] = n; next[n.name] = []; });
    d.edges.forEach(function (e) {
      if (next[e.source] && byName[e.target] && next[e.source].indexOf(e.target) < 0) { next[e.source].push(e.target); }
    });
    var shown = {}, order = [], groups = [], queue = d.starts.filter(function (s) { return byName[s]; });
    queue.forEach(function (s) { shown[s] = true; order.push(s); });
    while (queue.length) {
      var name = queue.shift(), children = next[name].slice().sort(function (a, b) {
        return byName[a].lot < byName[b].lot ? -1 : byName[a].lot > byName[b].lot ? 1 : 0;
      });
      var cut = children.length > d.fanoutMax && !opened[name];
      var taken = cut ? children.slice(0, d.fanoutShown) : children;
      if (cut) {
        var hidden = children.slice(d.fanoutShown).filter(function (c) { return !shown[c]; });
        if (hidden.length) { groups.push({ parent: name, count: hidden.length, column: byName[hidden[0]].column }); }
      }
      taken.forEach(function (c) {
        if (!shown[c]) { shown[c] = true; order.push(c); queue.push(c); }
      });
    }
    return { byName: byName, shown: shown, order: order, groups: groups };
  }

  function label(n) {
    var lines = [n.lot];
    if (n.product) { lines.push(n.product); }
    var when = [n.step, n.date].filter(Boolean).join(" · ");
    if (when) { lines.push(when); }
    if (n.machine) { lines.push(n.machine); }
    return lines.join("\n");
  }

  function draw() {
    var box = document.querySelector("[data-genealogy-chart]");
    if (!box) { return; }
    var d = JSON.parse(document.getElementById(box.dataset.source).textContent);
    var chart = echarts.init(box, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    var opened = {};

    function render() {
      var v = visible(d, opened), rows = {}, data = [], links = [];
      function place(column) { rows[column] = (rows[column] || 0) + 1; return rows[column] - 1; }
      v.order.forEach(function (name) {
        var n = v.byName[name], start = d.starts.indexOf(name) >= 0;
        data.push({
          name: name, node: n, x: n.column * COLUMN, y: TOP + place(n.column) * ROW,
          symbolSize: start ? 18 : 12, label: { formatter: label(n) },
          itemStyle: { color: start ? "#e5484d" : "#1456d8" }
        });
      });
      v.groups.forEach(function (g) {
        var id = "group:" + g.parent;
        data.push({
          name: id, group: g, x: g.column * COLUMN, y: TOP + place(g.column) * ROW, symbol: "roundRect",
          symbolSize: [44, 22], label: { position: "inside", color: "#fff", fontWeight: 700, formatter: "+" + g.count },
          itemStyle: { color: "#7b8799" }
        });
        links.push({ source: g.parent, target: id, lineStyle: { color: "#7b8799", type: "dashed", width: 1.2 } });
      });
      d.edges.forEach(function (e) {
        if (v.shown[e.source] && v.shown[e.target]) {
          links.push({ source: e.source, target: e.target, kind: e.kind, quantity: e.quantity,
                       lineStyle: { color: colours[e.kind] || "#7b8799", width: 1.4, curveness: 0.08 } });
        }
      });
      var tallest = Math.max.apply(null, Object.keys(rows).map(function (k) { return rows[k]; }).concat([1]));
      var widest = Math.max.apply(null, d.nodes.map(function (n) { return n.column; }).concat([0]));
      // Drawn at its own size (a wider graph scrolls sideways) so labels never shrink into each other.
      box.style.height = Math.max(420, TOP + tallest * ROW + 40) + "px";
      box.style.minWidth = (widest * COLUMN + LABEL + 60) + "px";
      chart.resize();
      var columns = d.columns.filter(function (c) { return rows[c.column]; });
      chart.setOption({
        textStyle: { fontFamily: font },
        tooltip: {
          formatter: function (p) {
            var encode = echarts.format.encodeHTML;
            if (p.dataType === "edge") { return p.data.quantity ? encode(p.data.quantity) : ""; }
            if (p.data.group) { return encode(box.dataset.openText || ""); }
            var n = p.data.node;
            return [n.lot + (n.product ? " · " + n.product : ""), n.kind, n.step, n.date, n.machine, n.place, n.quantity]
              .filter(Boolean).map(encode).join("<br>");
          }
        },
        graphic: columns.map(function (c) {
          return { type: "text", left: 0, top: 4, silent: true, id: "c" + c.column,
                   style: { text: c.title, fill: "#4a5668", font: "600 12px " + font } };
        }),
        series: [{
          type: "graph", layout: "none", roam: true, cursor: "pointer", animation: false,
          left: 20, right: LABEL, top: TOP, bottom: 20,
          edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
          label: { show: true, position: "right", color: "#1b2533", fontSize: 11, lineHeight: 14,
                   width: LABEL, overflow: "truncate" },
          edgeLabel: { show: false },
          emphasis: { focus: "adjacency", edgeLabel: { show: true, fontSize: 10, formatter: function (p) { return p.data.quantity || ""; } } },
          data: data, links: links
        }]
      }, { notMerge: true });
      // Column titles above their columns, where the series put them.
      chart.setOption({ graphic: columns.map(function (c) {
        var at = chart.convertToPixel({ seriesIndex: 0 }, [c.column * COLUMN, TOP]);
        return { id: "c" + c.column, left: at ? at[0] - 6 : 0 };
      }) });
      box.dataset.groups = String(v.groups.length);
      box.dataset.shown = String(v.order.length);
      box.dataset.rendered = "true";
    }

    chart.on("click", function (p) {
      if (p.dataType !== "node") { return; }
      if (p.data.group) { opened[p.data.group.parent] = true; render(); return; }
      window.location.href = box.dataset.traceUrl + "?" + new URLSearchParams({ epc: p.data.name, direction: box.dataset.direction });
    });
    render();
  }

  function start() { tabs(); window.parkbrainWhenFontsReady(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
