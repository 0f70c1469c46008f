/* Statistics overview: one ECharts chart per dimension and the yearly/monthly trend, drawn from the
 * "stats-charts-data" json_script block. A bar or point leads to the drill-down (the contracts behind it)
 * when the server gave it a link. The filter form swaps the results in place (htmx): charts are redrawn
 * after each swap. */
(function () {
  "use strict";

  var S = window.TTStats;
  var measure = "turnover";

  function labelWidth(el) {
    return Math.min(200, Math.max(84, Math.round(el.clientWidth * 0.38)));
  }

  function valueOf(row) {
    if (row.suppressed) return null;
    var v = row[measure];
    return v === null || v === undefined ? null : Number(v);
  }

  function barChart(el, spec, data) {
    var rows = spec.rows || [];
    var chart = S.init(el);
    var digits = measure === "contracts" ? 0 : 2;
    chart.setOption({
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: function (p) {
          var row = rows[p.dataIndex];
          var text = row.suppressed ? data.suppressed_label : S.formatNumber(valueOf(row), digits);
          return S.escape(row.label) + "<br>" + S.escape(data.measures[measure]) + ": " + S.escape(text);
        },
      },
      xAxis: { type: "value", minInterval: measure === "contracts" ? 1 : 0 },
      yAxis: {
        type: "category",
        inverse: true,
        data: rows.map(function (r) { return r.label; }),
        axisTick: { show: false },
        axisLabel: { width: labelWidth(el), overflow: "truncate" },
      },
      series: [{
        type: "bar",
        data: rows.map(function (r) {
          // A suppressed cell is drawn as an empty bar labelled "<n": its place is kept, its figure not shown.
          return { value: r.suppressed ? 0 : valueOf(r), itemStyle: { color: r.suppressed ? "#999" : S.brand() } };
        }),
        label: {
          show: true,
          position: "right",
          formatter: function (p) {
            var row = rows[p.dataIndex];
            return row.suppressed ? data.suppressed_label : S.formatNumber(valueOf(row), digits);
          },
        },
        cursor: "pointer",
      }],
    });
    chart.on("click", function (p) {
      var row = rows[p.dataIndex];
      if (row && row.url) window.location.href = row.url;
    });
    return chart;
  }

  function trendChart(el, spec, data) {
    var rows = spec.rows || [];
    var chart = S.init(el);
    chart.setOption({
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: [data.measures.contracts, data.measures[measure === "contracts" ? "turnover" : measure]] },
      tooltip: { trigger: "axis", confine: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }],
      series: [
        {
          name: data.measures.contracts,
          type: "bar",
          data: rows.map(function (r) { return r.suppressed ? null : r.contracts; }),
          itemStyle: { color: "#8c8c8c" },
          cursor: "pointer",
        },
        {
          name: data.measures[measure === "contracts" ? "turnover" : measure],
          type: "line",
          yAxisIndex: 1,
          connectNulls: false,
          data: rows.map(function (r) {
            var key = measure === "contracts" ? "turnover" : measure;
            return r.suppressed || r[key] === null ? null : Number(r[key]);
          }),
          itemStyle: { color: S.brand() },
          cursor: "pointer",
        },
      ],
    });
    chart.on("click", function (p) {
      var row = rows[p.dataIndex];
      if (row && row.url) window.location.href = row.url;
    });
    return chart;
  }

  function draw(root) {
    if (!window.echarts) return;
    S.prune();
    var data = S.readJson("stats-charts-data");
    if (!data) return;
    (root || document).querySelectorAll("[data-stats-chart]").forEach(function (el) {
      var spec = data.charts[el.getAttribute("data-stats-chart")];
      if (!spec) return;
      if (spec.kind === "trend") trendChart(el, spec, data);
      else barChart(el, spec, data);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.name === "measure" && input.closest("[data-stats-measure]")) {
      measure = input.value;
      draw(document);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var checked = document.querySelector("[data-stats-measure] input:checked");
    if (checked) measure = checked.value;
    draw(document);
  });
  // The filter form replaces the results (charts and tables) without reloading the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "stats-results") draw(document);
  });
})();
