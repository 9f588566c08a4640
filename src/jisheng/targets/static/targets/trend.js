// The leaders' page chart: quarterly totals per party (data from the json_script element).
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("trend-chart");
  const source = document.getElementById("trend-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", top: 0 },
    grid: { top: 40, left: 40, right: 20, bottom: 30 },
    xAxis: { type: "category", data: data.quarters },
    yAxis: { type: "value", min: 0, max: 100 },
    series: data.series.map((s) => ({ name: s.name, type: "line", data: s.data, connectNulls: false })),
  });
  holder.dataset.rendered = "1";
  window.addEventListener("resize", () => chart.resize());
});
