/* Portal charts: the home page's achievements-by-field bar chart (ECharts, data from json_script). */
(function () {
  "use strict";

  function labelWidth(el) {
    // Long Chinese field names get at most ~40% of the width on a phone, 14rem on a desktop.
    return Math.min(224, Math.max(90, Math.round(el.clientWidth * 0.4)));
  }

  function fieldChart() {
    var el = document.getElementById("field-chart");
    var source = document.getElementById("field-chart-data");
    if (!el || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var colour = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#b3261e";
    chart.setOption({
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.labels,
        axisTick: { show: false },
        axisLabel: { width: labelWidth(el), overflow: "truncate" },
      },
      series: [{
        type: "bar",
        data: data.counts,
        itemStyle: { color: colour },
        label: { show: true, position: "right" },
        cursor: "pointer",
      }],
    });
    // A bar leads to the search page filtered by its field.
    chart.on("click", function (p) {
      var code = data.codes[p.dataIndex];
      if (code) window.location.href = el.dataset.searchUrl + "?field=" + encodeURIComponent(code);
    });
    function resize() {
      chart.setOption({ yAxis: { axisLabel: { width: labelWidth(el) } } });
      chart.resize();
    }
    window.addEventListener("resize", resize);
    window.addEventListener("orientationchange", resize);
    if ("ResizeObserver" in window) new ResizeObserver(resize).observe(el);
  }

  document.addEventListener("DOMContentLoaded", fieldChart);
})();
