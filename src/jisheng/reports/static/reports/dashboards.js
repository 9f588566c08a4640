// Draws each dashboard chart from the JSON beside it (the same numbers as its table); a click
// on a bar opens the scoped list of its records when the page gave that bar a link.
(function () {
  "use strict";

  function option(spec) {
    var pyramid = spec.kind === "pyramid";
    var right = spec.series.some(function (s) { return s.right; });
    var series = spec.series.map(function (s, i) {
      var values = s.values;
      if (pyramid && i === 0) {
        values = values.map(function (v) { return v === null ? null : -v; });
      }
      return {
        name: s.name,
        type: s.line ? "line" : "bar",
        stack: pyramid ? "pyramid" : (s.stack || undefined),
        yAxisIndex: !pyramid && s.right ? 1 : 0,
        data: values,
        connectNulls: true,
      };
    });
    var categoryAxis = { type: "category", data: spec.categories };
    var valueAxis = pyramid
      ? { type: "value", axisLabel: { formatter: function (v) { return Math.abs(v); } } }
      : { type: "value" };
    return {
      animation: false,
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null ? "—" : Math.abs(v); },
      },
      legend: { top: 0 },
      grid: { left: 60, right: right ? 60 : 20, top: 40, bottom: 40 },
      xAxis: pyramid ? valueAxis : categoryAxis,
      yAxis: pyramid ? categoryAxis : (right ? [valueAxis, { type: "value" }] : valueAxis),
      series: series,
    };
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(element);
    chart.setOption(option(spec));
    chart.on("click", function (params) {
      // A series with its own links (inflow, outflow) leads to its own list.
      var own = (spec.series[params.seriesIndex] || {}).links;
      var link = ((own && own.length ? own : spec.links) || [])[params.dataIndex];
      if (link) { window.location.assign(link); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
