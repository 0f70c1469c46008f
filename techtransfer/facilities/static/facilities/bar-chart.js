/* Bar charts of the facility and voucher pages (open-sharing hours by month, a voucher programme's money by
 * month): every element with the data-bar-chart attribute is drawn from the json_script block whose id is the
 * element's id followed by "-data" ({categories, series: [{name, values}], unit}). ECharts, no inline script,
 * no eval (CSP). */
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.id + "-data");
    if (!source || !window.echarts) return;
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
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

  function drawAll() {
    document.querySelectorAll("[data-bar-chart]").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
