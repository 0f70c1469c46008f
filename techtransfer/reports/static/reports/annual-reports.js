/* The commission's overview of annual transformation reports: one ECharts bar chart of the amounts by transfer,
 * licence and equity investment (万元), drawn from the "annual-report-chart-data" json_script block. No inline
 * script, no eval (CSP). */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("annual-report-chart");
    var source = document.getElementById("annual-report-chart-data");
    if (!el || !source || !window.echarts) return;
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    el.style.minHeight = "18rem";
    el.style.width = "100%";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", confine: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0 } },
      yAxis: { type: "value", name: data.unit },
      series: data.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.values };
      }),
    });
    if ("ResizeObserver" in window) new ResizeObserver(function () { chart.resize(); }).observe(el);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
