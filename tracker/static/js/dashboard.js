/* The leaders' dashboard: draws each chart with the vendored Apache ECharts from the JSON
   at the data-src URL of #dashboard-data (the dashboard), or in its data-dashboard
   attribute (the drill-down pages).

   Every chart has a table beside it with the same figures, so the page is complete without
   this script: a chart box stays hidden until it is drawn, and print hides it again.
   Data format: {"charts": {key: {kind: "bar"|"stacked", vertical?: bool, min?: "dataMin",
   categories: [...], series: [{name, color, data: [...]}]}},
   "sparks": {key: {categories: [...], data: [number|null, ...]}}}. */
(function () {
  "use strict";

  var COLORS = {
    green: "#3f8f55",
    yellow: "#d9a21b",
    red: "#c0392b",
    blue: "#4f6d8f",
    grey: "#9aa5b1"
  };
  var INK = "#1f2933";
  var MUTED = "#5f6b7a";
  var LINE = "#e3e7ec";
  var FONT = getComputedStyle(document.body).fontFamily;
  var drawn = [];

  function readData() {
    var node = document.getElementById("dashboard-data");
    if (!node) return null;
    try {
      return JSON.parse(node.getAttribute("data-dashboard"));
    } catch (error) {
      return null;
    }
  }

  function sizeFor(box, spec) {
    /* Horizontal bars: one band per category, so long unit lists stay legible. */
    if (spec.vertical) {
      box.style.height = "280px";
    } else {
      box.style.height = Math.max(140, 34 * spec.categories.length + 70) + "px";
    }
  }

  function option(spec, box) {
    var stacked = spec.kind === "stacked";
    var narrow = box.clientWidth < 520;
    var valueAxis = {
      type: "value",
      minInterval: 1,
      axisLabel: { color: MUTED },
      splitLine: { lineStyle: { color: LINE } }
    };
    if (spec.min) {
      valueAxis.min = function (extent) {
        return Math.max(0, Math.floor((extent.min - 5) / 5) * 5);
      };
      valueAxis.minInterval = 0;
    }
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      inverse: !spec.vertical,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: LINE } },
      axisLabel: {
        color: INK,
        width: spec.vertical ? 80 : 150,
        overflow: "truncate",
        interval: 0,
        rotate: spec.vertical && narrow ? 40 : 0 /* months side by side on a phone */
      }
    };
    var series = spec.series.map(function (s) {
      return {
        name: s.name,
        type: "bar",
        stack: stacked ? "total" : undefined,
        data: s.data,
        barMaxWidth: 26,
        itemStyle: { color: COLORS[s.color] || COLORS.grey },
        label: {
          show: !stacked,
          position: spec.vertical ? "top" : "right",
          color: INK
        },
        emphasis: { focus: "series" }
      };
    });
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      color: spec.series.map(function (s) { return COLORS[s.color] || COLORS.grey; }),
      /* drawn on the canvas: an HTML tooltip carries style="" attributes, which the
         Content-Security-Policy (style-src 'self', no 'unsafe-inline') refuses */
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: stacked ? { top: 0, textStyle: { color: INK } } : { show: false },
      grid: {
        left: 8,
        right: 36,
        top: stacked ? 32 : 8,
        bottom: 8,
        containLabel: true
      },
      xAxis: spec.vertical ? categoryAxis : valueAxis,
      yAxis: spec.vertical ? valueAxis : categoryAxis,
      series: series
    };
  }

  function sparkOption(spec) {
    return {
      animation: false,
      grid: { left: 3, right: 3, top: 3, bottom: 3 },
      xAxis: { type: "category", show: false, data: spec.categories, boundaryGap: false },
      /* at least ten points of height: a half-point change stays a small change */
      yAxis: {
        type: "value",
        show: false,
        min: function (v) { return Math.min(v.min, v.max - 10); },
        max: function (v) { return v.max; }
      },
      tooltip: {
        trigger: "axis",
        confine: true,
        renderMode: "richText",
        textStyle: { fontFamily: FONT }
      },
      series: [{
        type: "line",
        data: spec.data,
        connectNulls: true,
        symbol: "circle",
        symbolSize: 3,
        lineStyle: { width: 1.5, color: COLORS.blue },
        itemStyle: { color: COLORS.blue }
      }]
    };
  }

  function draw(box, build, spec) {
    box.hidden = false;
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(build(spec, box));
    drawn.push(chart);
  }

  function start() {
    /* The dashboard's figures come as a small JSON from their own URL (data-src), so the
       page itself stays small; the drill-down pages carry theirs in data-dashboard. */
    var node = document.getElementById("dashboard-data");
    var src = node && node.getAttribute("data-src");
    if (src && window.fetch) {
      fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(drawAll)
        .catch(function () { /* the tables alone are complete */ });
      return;
    }
    drawAll(readData());
  }

  function drawAll(data) {
    if (!data || !window.echarts) return; /* the tables alone are complete */
    var charts = data.charts || {};
    var sparks = data.sparks || {};
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var spec = charts[box.getAttribute("data-chart")];
      if (!spec || !spec.categories.length) return;
      sizeFor(box, spec);
      draw(box, option, spec);
    });
    document.querySelectorAll("[data-spark]").forEach(function (box) {
      var spec = sparks[box.getAttribute("data-spark")];
      if (!spec) return;
      draw(box, sparkOption, spec);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        drawn.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
