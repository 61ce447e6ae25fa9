/* The cockpit's charts, drawn from data the page embeds with json_script; a click on a
   slice, bar, month or park opens the enterprises behind it (/cockpit/firms/). data-theme="dark" on <body> is the wall. */
(function () {
  "use strict";
  var dark = document.body.classList.contains("wall");
  var font = '"Noto Sans SC", "Microsoft YaHei", sans-serif';
  var ink = dark ? "#cfe0ff" : "#4a5668";
  // The wall is read from across a room: its charts' text is as large as its page's labels.
  var size = dark ? 18 : 12;
  var labelWidth = dark ? 210 : 140;
  var grid = dark ? "rgba(120,160,255,.15)" : "#eef1f6";
  var palette = dark
    ? ["#2f8cff", "#3ddc97", "#ffb547", "#b18cff", "#ff6b6b", "#35d0ff", "#8899aa"]
    : ["#1456d8", "#12a37f", "#f08a24", "#8b5cf6", "#e5484d", "#0ea5e9", "#a3a3a3"];

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function fmt(v, unit) {
    return v == null ? "—" : v.toLocaleString("zh-CN") + " " + unit;
  }

  function drill(chart, links) {
    chart.on("click", function (p) {
      var link = links[p.dataIndex];
      if (link) { window.location.href = link; }
    });
  }

  var builders = {
    trend: function (chart, d) {
      // A bar lists the firms behind that month, the growth line those of the year to it.
      chart.on("click", function (p) {
        var link = (p.seriesType === "line" ? d.growth_links : d.links)[p.dataIndex];
        if (link) { window.location.href = link; }
      });
      return {
        color: [palette[0], dark ? "#5c6f92" : "#b8c2d0", palette[2]],
        textStyle: { fontFamily: font, color: ink, fontSize: size },
        grid: { left: 64, right: 64, top: dark ? 64 : 40, bottom: dark ? 32 : 28 },
        legend: { top: 0, left: "center", itemWidth: 12, itemHeight: 12, textStyle: { color: ink } },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.labels, axisTick: { show: false }, axisLabel: { color: ink, fontSize: size } },
        yAxis: [
          { type: "value", name: d.unit, nameTextStyle: { color: ink, fontSize: size }, axisLabel: { color: ink, fontSize: size },
            splitNumber: dark ? 4 : 5, splitLine: { lineStyle: { color: grid } } },
          // 累计增速 is a rate: its own axis in %, or it lies flat on the bars' 亿元 scale.
          { type: "value", name: "%", position: "right", splitNumber: dark ? 4 : 5,
            nameTextStyle: { color: palette[2], fontSize: size },
            axisLabel: { color: palette[2], fontSize: size, formatter: "{value}%" },
            splitLine: { show: false } }
        ],
        series: [
          { type: "bar", name: d.names[0], data: d.this, barMaxWidth: 18,
            tooltip: { valueFormatter: function (v) { return fmt(v, d.unit); } },
            itemStyle: { borderRadius: [3, 3, 0, 0] } },
          { type: "bar", name: d.names[1], data: d.last, barMaxWidth: 18,
            tooltip: { valueFormatter: function (v) { return fmt(v, d.unit); } },
            itemStyle: { borderRadius: [3, 3, 0, 0] } },
          { type: "line", name: d.names[2], yAxisIndex: 1, data: d.growth, smooth: true,
            symbolSize: 6, tooltip: { valueFormatter: function (v) { return fmt(v, "%"); } } }
        ]
      };
    },
    donut: function (chart, d) {
      drill(chart, d.links);
      return {
        color: palette,
        textStyle: { fontFamily: font, color: ink, fontSize: size },
        tooltip: { trigger: "item", valueFormatter: function (v) { return fmt(v, d.unit); } },
        legend: {
          bottom: 0, left: "center", itemWidth: 12, itemHeight: 12, textStyle: { color: ink }
        },
        series: [{
          type: "pie", radius: ["38%", "60%"], center: ["50%", "45%"], cursor: "pointer",
          label: { formatter: "{d}%", color: ink, fontSize: size }, labelLine: { length: 6, length2: 6 },
          data: d.labels.map(function (label, i) { return { name: label, value: d.values[i] }; })
        }]
      };
    },
    hbar: function (chart, d) {
      drill(chart, d.links.slice().reverse());
      return {
        color: [palette[1]],
        textStyle: { fontFamily: font, color: ink, fontSize: size },
        grid: { left: labelWidth + 10, right: 72, top: 8, bottom: 28 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                   valueFormatter: function (v) { return fmt(v, d.unit); } },
        xAxis: { type: "value", axisLabel: { color: ink, fontSize: size }, splitLine: { lineStyle: { color: grid } } },
        yAxis: { type: "category", data: d.labels.slice().reverse(), axisTick: { show: false },
                 axisLabel: { width: labelWidth, overflow: "truncate", color: ink, fontSize: size } },
        series: [{
          type: "bar", data: d.values.slice().reverse(), barMaxWidth: 20, cursor: "pointer",
          label: { show: true, position: "right", color: ink, fontSize: size },
          itemStyle: { borderRadius: [0, 4, 4, 0] }
        }]
      };
    },
    versus: function (chart, d) {
      // Firm and median share an axis, so the bar and the line compare at a glance; when one
      // is over four times the other the line would lie flat (or the bars would), so the
      // median takes its own right-hand axis in its colour, and the legend says so.
      var colours = [palette[0], palette[2]];
      function top(values) {
        return Math.max.apply(null, values.filter(function (v) { return v != null; }).concat([0]));
      }
      var ratio = top(d.own) / (top(d.median) || 1);
      var apart = top(d.median) > 0 && (ratio > 4 || ratio < 0.25);
      function axis(colour, position) {
        return { type: "value", position: position, name: apart ? d.unit : "",
                 nameTextStyle: { color: colour }, axisLine: { show: apart, lineStyle: { color: colour } },
                 axisLabel: { color: apart ? colour : ink },
                 splitLine: { show: position === "left", lineStyle: { color: grid } } };
      }
      return {
        color: colours,
        textStyle: { fontFamily: font, color: ink, fontSize: size },
        grid: { left: 56, right: apart ? 56 : 12, top: apart ? 28 : 12, bottom: 60 },
        legend: { bottom: 0, left: "center", itemWidth: 12, itemHeight: 12, textStyle: { color: ink } },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, d.unit); } },
        xAxis: { type: "category", data: d.labels, axisTick: { show: false },
                 // A year not over is named with its months on a second line: 2026年 (1—10月).
                 axisLabel: { color: ink, interval: 0, formatter: function (v) { return v.replace("(", "\n("); } } },
        yAxis: apart ? [axis(colours[0], "left"), axis(colours[1], "right")] : [axis(ink, "left")],
        series: [
          { type: "bar", name: d.names[0], data: d.own, barMaxWidth: 22, itemStyle: { borderRadius: [3, 3, 0, 0] } },
          { type: "line", name: apart ? d.names[2] : d.names[1], yAxisIndex: apart ? 1 : 0,
            data: d.median, symbolSize: 6, connectNulls: true }
        ]
      };
    },
    map: function (chart, d) {
      echarts.registerMap("cockpit-zone", d.geojson);
      var links = {};
      d.points.forEach(function (p) { links[p.name] = p.link; });
      var numbers = Object.keys(d.values).map(function (k) { return d.values[k]; })
        .filter(function (v) { return v != null; });
      var low = numbers.length ? Math.min.apply(null, numbers.concat([0])) : 0;
      var high = numbers.length ? Math.max.apply(null, numbers) : 1;
      chart.on("click", function (p) {
        if (links[p.name]) { window.location.href = links[p.name]; }
      });
      // Names come from the database: encode them, the tooltip takes HTML.
      var tip = function (p) {
        var encode = echarts.format.encodeHTML;
        return "<b>" + encode(p.name) + "</b><br>" + encode(d.label) + ": " +
          encode(fmt(d.values[p.name], d.unit));
      };
      return {
        textStyle: { fontFamily: font, fontSize: size },
        tooltip: { trigger: "item", formatter: tip },
        visualMap: {
          min: low, max: high === low ? low + 1 : high, calculable: true, left: 8, bottom: 8,
          text: [d.unit, ""], textStyle: { color: ink, fontSize: size }, itemHeight: 110,
          inRange: { color: dark ? ["#0f2a5c", "#1f6fff", "#35d0ff"] : ["#e3ecff", "#6f9cf2", "#0b3a9a"] }
        },
        series: [{
          type: "map", map: "cockpit-zone", roam: true, aspectScale: 0.86, layoutCenter: ["55%", "50%"],
          layoutSize: "92%", selectedMode: false, cursor: "pointer",
          label: { show: true, color: dark ? "#fff" : "#1b2533", fontSize: dark ? 16 : 11, fontWeight: 700 },
          itemStyle: { borderColor: dark ? "#7fb2ff" : "#ffffff", borderWidth: 1.2 },
          emphasis: { itemStyle: { areaColor: "#ffd166" }, label: { color: "#1b2533" } },
          // Centres lie inside parks: only the parks are named on the map, centres on hover.
          data: d.points.map(function (p) {
            return { name: p.name, value: d.values[p.name], label: { show: p.kind !== "centre" } };
          })
        }]
      };
    }
  };

  var drawn = {};  // data source id → its chart and kind, for updates in place

  function draw() {
    document.querySelectorAll("[data-cockpit-chart]").forEach(function (node) {
      var d = data(node.dataset.source);
      if (!d) { return; }
      var chart = echarts.init(node, null, { renderer: "canvas" });
      drawn[node.dataset.source] = { chart: chart, kind: node.dataset.cockpitChart };
      // ECharts' map breaks for good when laid out at no size (a page being left or shot).
      window.addEventListener("resize", function () {
        if (node.clientWidth && node.clientHeight) { chart.resize(); }
      });
      // Rendered once drawn and animated: a click before that may miss a growing bar.
      chart.on("finished", function () { node.dataset.rendered = "true"; });
      chart.setOption(builders[node.dataset.cockpitChart](chart, d));
    });
  }

  // The wall fetches new figures and redraws each chart from them, its clicks included.
  window.parkbrainCockpit = {
    update: function (source, d) {
      var entry = drawn[source];
      if (!entry) { return; }
      entry.chart.off("click");
      entry.chart.setOption(builders[entry.kind](entry.chart, d), { notMerge: true });
    }
  };

  function start() { window.parkbrainWhenFontsReady(draw); }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
