// The sex-ratio monitor's trend: one line per unit, the normal range shaded, high points marked.
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("srb-chart");
  const source = document.getElementById("srb-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(holder);
  const [low, high] = data.normal;
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", top: 0 },
    grid: { top: 40, left: 48, right: 20, bottom: 30 },
    xAxis: { type: "category", data: data.categories },
    yAxis: { type: "value", scale: true },
    series: data.series.map((s, index) => ({
      name: s.name,
      type: "line",
      connectNulls: false,
      data: s.data.map((value, i) =>
        s.high[i] ? { value, symbol: "diamond", symbolSize: 12, itemStyle: { color: "#c0392b" } } : value
      ),
      markArea: index === 0 ? { silent: true, itemStyle: { color: "rgba(46, 160, 67, 0.12)" }, data: [[{ yAxis: low }, { yAxis: high }]] } : undefined,
    })),
  });
  holder.dataset.rendered = "1";
  window.addEventListener("resize", () => chart.resize());
});
