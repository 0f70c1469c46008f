/* The incubation count page: ECharts bars of firms in incubation by carrier type and a pie by recognition level,
 * drawn from the "incubation-data" json_script block (the same figures as the tables). No inline script (CSP). */
(function () {
  "use strict";

  function init(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    if ("ResizeObserver" in window) new ResizeObserver(function () { chart.resize(); }).observe(el);
    return chart;
  }

  function draw() {
    var source = document.getElementById("incubation-data");
    if (!source) return;
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    var colour = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#b3261e";
    var types = init("incubation-type-chart");
    if (types) {
      var el = document.getElementById("incubation-type-chart");
      types.setOption({
        grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: {
          type: "category", inverse: true, data: data.by_type.labels, axisTick: { show: false },
          axisLabel: { width: Math.min(200, Math.max(90, Math.round(el.clientWidth * 0.4))), overflow: "truncate" },
        },
        series: [{ type: "bar", name: data.names.total, data: data.by_type.counts, itemStyle: { color: colour },
                   label: { show: true, position: "right" } }],
      });
    }
    var levels = init("incubation-level-chart");
    if (levels) {
      levels.setOption({
        tooltip: { trigger: "item", confine: true },
        legend: { type: "scroll", bottom: 0 },
        series: [{
          type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], label: { formatter: "{c}" },
          data: data.by_level.labels.map(function (label, i) { return { name: label, value: data.by_level.counts[i] }; })
            .filter(function (d) { return d.value > 0; }),
        }],
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
