/* The commissioners' activity page: an ECharts bar chart of visits and hours per district, drawn from the
 * "talent-activity-data" json_script block (the same figures as the table). No inline script (CSP). */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("talent-district-chart");
    var source = document.getElementById("talent-activity-data");
    if (!el || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#b3261e";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    if ("ResizeObserver" in window) new ResizeObserver(function () { chart.resize(); }).observe(el);
    var names = JSON.parse(el.getAttribute("data-series") || "[\"\",\"\"]");
    chart.setOption({
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: names[0], type: "bar", data: data.visits, itemStyle: { color: brand } },
        { name: names[1], type: "bar", data: data.hours },
      ],
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
