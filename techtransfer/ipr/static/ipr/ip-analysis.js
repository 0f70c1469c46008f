/* The IP analysis page: ECharts charts of applications and grants by year, types, legal statuses and top holders,
 * drawn from the "ip-analysis-data" json_script block (the same figures as the tables). No inline script (CSP). */
(function () {
  "use strict";

  function brand() {
    return getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#b3261e";
  }

  function init(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    if ("ResizeObserver" in window) new ResizeObserver(function () { chart.resize(); }).observe(el);
    return chart;
  }

  function labelWidth(el) {
    return Math.min(224, Math.max(90, Math.round(el.clientWidth * 0.4)));
  }

  function pie(id, series) {
    var chart = init(id);
    if (!chart) return;
    chart.setOption({
      tooltip: { trigger: "item", confine: true },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie",
        radius: ["35%", "65%"],
        center: ["50%", "45%"],
        label: { formatter: "{c}" },
        data: series.labels.map(function (label, i) { return { name: label, value: series.counts[i] }; }),
      }],
    });
  }

  function bars(id, series) {
    var chart = init(id);
    if (!chart) return;
    var el = document.getElementById(id);
    chart.setOption({
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category", inverse: true, data: series.labels, axisTick: { show: false },
        axisLabel: { width: labelWidth(el), overflow: "truncate" },
      },
      series: [{ type: "bar", data: series.counts, itemStyle: { color: brand() }, label: { show: true, position: "right" } }],
    });
  }

  function years(id, data) {
    var chart = init(id);
    if (!chart) return;
    chart.setOption({
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", confine: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", name: data.names[0], data: data.application },
        { type: "line", name: data.names[1], data: data.grant },
      ],
    });
  }

  function draw() {
    var source = document.getElementById("ip-analysis-data");
    if (!source) return;
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    years("ip-years-chart", data.years);
    pie("ip-type-chart", data.by_type);
    pie("ip-status-chart", data.legal_status);
    bars("ip-holder-chart", data.top_holders);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
