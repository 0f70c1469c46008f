/* The technology transaction map (技术交易地图): China by province with the flows between Beijing and each
 * province drawn as lines, the world by country for contracts abroad, and Beijing by district. Figures come
 * from the "stats-map-data" json_script block (both directions, so the switch redraws without a request);
 * the GeoJSON comes from this site (pinned npm packages), fetched once. A region with a link opens the
 * drill-down of its contracts. */
(function () {
  "use strict";

  var S = window.TTStats;
  var state = { direction: "out", measure: "turnover" };

  function valueOf(row) {
    if (!row || row.suppressed) return null;
    var v = row[state.measure];
    return v === null || v === undefined ? null : Number(v);
  }

  function maxOf(rows) {
    var max = 0;
    rows.forEach(function (r) {
      var v = valueOf(r);
      if (v !== null && v > max) max = v;
    });
    return max || 1;
  }

  function tooltip(data, labels) {
    return function (p) {
      var row = p.data && p.data.row;
      var label = row ? row.label : (labels && labels[p.name]) || p.name;
      if (!row) return S.escape(label);
      var digits = state.measure === "contracts" ? 0 : 2;
      var text = row.suppressed ? data.suppressed_label : S.formatNumber(valueOf(row), digits);
      return S.escape(label) + "<br>" + S.escape(data.measures[state.measure]) + ": " + S.escape(text);
    };
  }

  function visualMap(rows, dark) {
    return {
      type: "continuous",
      min: 0,
      max: maxOf(rows),
      calculable: false,
      left: 8,
      bottom: 8,
      itemHeight: 90,
      textStyle: { color: dark ? "#ddd" : "#555" },
      inRange: { color: ["#fde8e4", "#f4a28c", S.brand()] },
    };
  }

  function onClick(chart) {
    chart.on("click", function (p) {
      var row = p.data && p.data.row;
      if (row && row.url) window.location.href = row.url;
    });
  }

  function items(rows, key) {
    return rows.map(function (row) {
      return { name: String(row[key]), value: valueOf(row), row: row };
    });
  }

  /* China: the provinces coloured by the measure, and a line between Beijing and each province. */
  function chinaMap(el, data, geo, options) {
    options = options || {};
    var flows = data[state.direction] || {};
    var rows = (flows.provinces || []).filter(function (r) { return r.code !== data.beijing_code; });
    var origin = geo.centres[data.beijing_code];
    var lines = [];
    var max = maxOf(rows);
    rows.forEach(function (row) {
      var centre = geo.centres[String(row.code)];
      var v = valueOf(row);
      if (!origin || !centre || (!row.suppressed && (v === null || v <= 0))) return;
      var coords = state.direction === "out" ? [origin, centre] : [centre, origin];
      // A suppressed province (too few contracts to publish a figure) gets a thin dashed line: that there is
      // a flow is public (its row shows "<n"), how much is not.
      var style = row.suppressed ? { width: 1, type: "dashed" } : { width: 1 + 3 * (v / max) };
      lines.push({ coords: coords, row: row, lineStyle: style });
    });
    var chart = S.init(el, options.dark);
    chart.setOption({
      tooltip: { trigger: "item", confine: true, formatter: tooltip(data, geo.labels) },
      visualMap: Object.assign(visualMap(rows, options.dark), { seriesIndex: 0, show: !options.compact }),
      geo: {
        map: geo.name,
        roam: !options.compact,
        zoom: 1.15,
        top: options.compact ? 4 : 16,
        bottom: options.compact ? 4 : 16,
        itemStyle: {
          areaColor: options.dark ? "#1d2a3a" : "#f3f3f3",
          borderColor: options.dark ? "#4d6a8a" : "#bbb",
        },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#ffd58f" } },
        label: { show: false },
      },
      series: [
        {
          type: "map",
          geoIndex: 0,
          data: items(rows, "code"),
        },
        {
          type: "lines",
          coordinateSystem: "geo",
          zlevel: 1,
          silent: true,
          effect: { show: true, period: 5, trailLength: 0.3, symbolSize: 4 },
          lineStyle: { color: options.dark ? "#ffd58f" : S.brand(), opacity: 0.7, curveness: 0.25 },
          data: lines,
        },
        {
          type: "effectScatter",
          coordinateSystem: "geo",
          zlevel: 2,
          silent: true,
          symbolSize: 8,
          itemStyle: { color: options.dark ? "#ffd58f" : S.brand() },
          data: origin ? [{ name: data.beijing_label, value: origin }] : [],
        },
      ],
    }, true);
    if (!options.compact) onClick(chart);
    return chart;
  }

  function choropleth(el, data, geo, rows, key) {
    var chart = S.init(el);
    chart.setOption({
      tooltip: { trigger: "item", confine: true, formatter: tooltip(data, geo.labels) },
      visualMap: visualMap(rows),
      series: [{
        type: "map",
        map: geo.name,
        roam: true,
        label: { show: false },
        itemStyle: { areaColor: "#f3f3f3", borderColor: "#bbb" },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#ffd58f" } },
        data: items(rows, key),
      }],
    }, true);
    onClick(chart);
    return chart;
  }

  function drawAll(data) {
    S.prune();
    var china = document.getElementById("map-china");
    var world = document.getElementById("map-world");
    var beijing = document.getElementById("map-beijing");
    if (china) S.loadMap("tt-china", china.dataset.geo, true).then(function (geo) { chinaMap(china, data, geo); });
    if (world) {
      S.loadMap("tt-world", world.dataset.geo, false).then(function (geo) {
        choropleth(world, data, geo, (data[state.direction] || {}).abroad || [], "map_name");
      });
    }
    if (beijing) {
      S.loadMap("tt-beijing", beijing.dataset.geo, true).then(function (geo) {
        choropleth(beijing, data, geo, (data[state.direction] || {}).districts || [], "code");
      });
    }
  }

  function start() {
    if (!window.echarts) return;
    var data = S.readJson("stats-map-data");
    if (!data) return;
    var dir = document.querySelector("[data-stats-direction] input:checked");
    if (dir) state.direction = dir.value;
    var measure = document.querySelector("[data-stats-measure] input:checked");
    if (measure) state.measure = measure.value;
    drawAll(data);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || !input.closest) return;
    if (input.name === "direction" && input.closest("[data-stats-direction]")) state.direction = input.value;
    else if (input.name === "measure" && input.closest("[data-stats-measure]")) state.measure = input.value;
    else return;
    var data = S.readJson("stats-map-data");
    if (data) drawAll(data);
  });

  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "stats-results") start();
  });

  // The live board draws a small China map with the same function.
  window.TTStats.chinaMap = function (el, data, options) {
    return S.loadMap("tt-china", el.dataset.geo, true).then(function (geo) {
      return chinaMap(el, data, geo, options);
    });
  };
})();
