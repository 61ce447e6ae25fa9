/* Charts drawn from data the page embeds with json_script; no data is fetched. */
(function () {
  "use strict";
  var palette = ["#1456d8", "#12a37f", "#f08a24", "#8b5cf6", "#e5484d", "#0ea5e9", "#a3a3a3"];
  var font = '"Noto Sans SC", "Microsoft YaHei", sans-serif';

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function mount(node) {
    var chart = echarts.init(node, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  var builders = {
    bar: function (node, d) {
      return {
        color: [node.dataset.color || palette[0]],
        textStyle: { fontFamily: font },
        grid: { left: 48, right: 16, top: 24, bottom: 32 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.labels, axisTick: { show: false } },
        yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f6" } } },
        series: [{
          type: "bar", name: d.name, data: d.values, barMaxWidth: 36,
          label: { show: true, position: "top", color: "#4a5668" },
          itemStyle: { borderRadius: [4, 4, 0, 0] }
        }]
      };
    },
    bars: function (node, d) {
      return {
        color: ["#b8c2d0", palette[0]],
        textStyle: { fontFamily: font },
        grid: { left: 56, right: 16, top: 36, bottom: 28 },
        legend: { top: 0, right: 8, itemWidth: 12, itemHeight: 12 },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + " " + d.unit; } },
        xAxis: { type: "category", data: d.labels, axisTick: { show: false } },
        yAxis: { type: "value", name: d.unit, splitLine: { lineStyle: { color: "#eef1f6" } } },
        series: d.series.map(function (s) {
          return { type: "bar", name: s.name, data: s.values, barMaxWidth: 18, itemStyle: { borderRadius: [3, 3, 0, 0] } };
        })
      };
    },
    hbar: function (node, d) {
      return {
        color: [node.dataset.color || palette[1]],
        textStyle: { fontFamily: font },
        grid: { left: 170, right: 48, top: 8, bottom: 24 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f6" } } },
        yAxis: {
          type: "category", data: d.labels.slice().reverse(), axisTick: { show: false },
          axisLabel: { width: 160, overflow: "truncate" }
        },
        series: [{
          type: "bar", name: d.name, data: d.values.slice().reverse(), barMaxWidth: 22,
          label: { show: true, position: "right", color: "#4a5668" },
          itemStyle: { borderRadius: [0, 4, 4, 0] }
        }]
      };
    },
    pie: function (node, d) {
      return {
        color: palette,
        textStyle: { fontFamily: font },
        tooltip: { trigger: "item", formatter: "{b}<br>{c} ({d}%)" },
        legend: {
          orient: "vertical", right: 8, top: "middle", itemWidth: 12, itemHeight: 12,
          formatter: function (name) { return name + "  " + d.values[d.labels.indexOf(name)]; }
        },
        series: [{
          type: "pie", radius: ["40%", "64%"], center: ["36%", "52%"], name: d.name,
          label: { formatter: "{d}%", overflow: "none" }, labelLine: { length: 8, length2: 6 },
          data: d.labels.map(function (label, i) { return { name: label, value: d.values[i] }; })
        }]
      };
    },
    histogram: function (node, d) {
      return {
        textStyle: { fontFamily: font },
        grid: { left: 40, right: 16, top: 24, bottom: 40 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.labels, axisTick: { show: false }, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f6" } } },
        series: [{
          type: "bar", name: d.name, barCategoryGap: "8%",
          data: d.values.map(function (v, i) {
            return { value: v, itemStyle: { color: i === d.marked ? palette[2] : "#b8c8ea" } };
          }),
          markPoint: d.marked == null ? undefined : {
            symbol: "pin", symbolSize: 36, itemStyle: { color: palette[2] },
            data: [{ coord: [d.marked, d.values[d.marked]], value: d.own, label: { show: false } }]
          }
        }]
      };
    },
    box: function (node, d) {
      return {
        textStyle: { fontFamily: font },
        grid: { left: 40, right: 16, top: 10, bottom: 28 },
        tooltip: { trigger: "item" },
        xAxis: { type: "value", splitLine: { lineStyle: { color: "#eef1f6" } } },
        yAxis: { type: "category", data: [""], axisTick: { show: false } },
        series: [
          { type: "boxplot", name: d.name, data: [d.box], itemStyle: { color: "#e8f0fe", borderColor: palette[0] }, boxWidth: [18, 28] },
          { type: "scatter", name: d.own, data: [[d.score, 0]], symbolSize: 12, itemStyle: { color: palette[2] }, z: 5 }
        ]
      };
    },
    zonemap: function (node, d, chart) {
      echarts.registerMap("zone", d.geojson);
      var parkColors = ["#cfe0ff", "#c9f0e3", "#ffe4c7", "#e6dcff"];
      var ids = {};
      var regions = d.geojson.features.map(function (f, i) {
        var centre = f.properties.kind === "centre";
        ids[f.properties.name] = f.properties.id;
        return {
          name: f.properties.name,
          itemStyle: {
            areaColor: centre ? "#1456d8" : parkColors[i % parkColors.length],
            borderColor: centre ? "#0b3a9a" : "#5b7bb5",
            borderWidth: centre ? 1 : 1.5
          },
          label: { show: false }
        };
      });
      d.centres.forEach(function (c) { ids[c.name] = c.id; });
      // Names come from the database: encode them, the tooltip takes HTML.
      var tip = function (p) {
        var encode = echarts.format.encodeHTML;
        return "<b>" + encode(p.name) + "</b><br>" + encode(d.stats[p.name] || "");
      };
      chart.on("click", function (params) {
        var id = ids[params.name];
        if (id && d.drill) { window.location.href = d.drill + "?park=" + id; }
      });
      return {
        textStyle: { fontFamily: font },
        tooltip: { trigger: "item", formatter: tip },
        geo: {
          map: "zone", roam: true, aspectScale: 0.86, layoutCenter: ["50%", "50%"], layoutSize: "96%",
          triggerEvent: true, selectedMode: false, regions: regions,
          tooltip: { show: true, formatter: tip },
          label: { show: false }, emphasis: { itemStyle: { areaColor: "#ffd166" }, label: { show: false } }
        },
        series: [{
          type: "scatter", coordinateSystem: "geo", data: d.parks, symbolSize: 0, silent: true,
          label: { show: true, position: "inside", formatter: "{b}", color: "#1b2533", fontWeight: 700, fontSize: 14 }
        }, {
          type: "scatter", coordinateSystem: "geo", data: d.centres, symbol: "circle", symbolSize: 10,
          itemStyle: { color: "#e5484d", borderColor: "#fff", borderWidth: 2 }, z: 5,
          label: { show: true, position: "right", formatter: "{b}", color: "#0b3a9a", fontWeight: 700,
                   backgroundColor: "rgba(255,255,255,.85)", padding: [2, 5], borderRadius: 4 }
        }]
      };
    }
  };

  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var d = data(node.dataset.source);
      if (!d) { return; }
      var chart = mount(node);
      chart.setOption(builders[node.dataset.chart](node, d, chart));
      node.dataset.rendered = "true";
    });
  }

  function start() { window.parkbrainWhenFontsReady(draw); }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
