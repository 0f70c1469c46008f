/* Technology-market statistics: what the chart, map and live-board scripts share.
 * Data comes from <script type="application/json"> blocks (json_script); nothing inline, no eval (CSP).
 * Maps are GeoJSON served by this site from pinned npm packages (never a CDN), fetched once per page. */
(function () {
  "use strict";

  var charts = [];
  var geoCache = {};

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return null;
    }
  }

  function escape(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function brand() {
    return getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#b3261e";
  }

  function formatNumber(value, digits) {
    if (value === null || value === undefined || value === "") return "—";
    var n = Number(value);
    if (!isFinite(n)) return String(value);
    return n.toLocaleString(document.documentElement.lang || undefined, {
      minimumFractionDigits: digits || 0,
      maximumFractionDigits: digits || 0,
    });
  }

  /* One chart per element; a chart whose element left the page (htmx swap) is disposed of. A chart drawn
     again (another direction or measure) is cleared and reused: disposing one while its flow lines were
     animating left their trail layer drawing from a canvas of size 0 (a script error in the console). */
  function init(el, dark) {
    var existing = window.echarts.getInstanceByDom(el);
    if (existing && !existing.isDisposed()) {
      existing.off("click");
      existing.clear();
      return existing;
    }
    // An element with no size yet (mid-layout, folded away) gets a 1 px chart until it has one.
    var size = hasSize(el) ? {} : { width: 1, height: 1 };
    var chart = window.echarts.init(el, dark ? "dark" : null, Object.assign({ renderer: "canvas" }, size));
    charts.push(chart);
    if ("ResizeObserver" in window) new ResizeObserver(function () { resize(chart); }).observe(el);
    return chart;
  }

  function hasSize(el) {
    return el.clientWidth > 0 && el.clientHeight > 0;
  }

  /* A chart keeps its last size while its element has none: resized to zero, the map's flow-line trail
     copies a canvas of size 0 on every frame (a script error each, seen under load in CI). */
  function resize(chart) {
    var el = chart.getDom();
    if (el && hasSize(el)) chart.resize({ width: "auto", height: "auto" });
  }

  function prune() {
    charts = charts.filter(function (chart) {
      var dom = chart.getDom();
      if (dom && document.body.contains(dom)) return true;
      chart.dispose();
      return false;
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(resize);
  });

  /* Register a GeoJSON map once. The China and Beijing files name regions by GB/T 2260 code (adcode): the
   * code becomes the region's name, so data items match by code, and the Chinese name is kept as `label`. */
  function loadMap(name, url, byCode) {
    if (!geoCache[name]) {
      geoCache[name] = fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("map " + name + ": HTTP " + response.status);
          return response.json();
        })
        .then(function (geo) {
          var centres = {};
          var labels = {};
          geo.features.forEach(function (feature) {
            var p = feature.properties || (feature.properties = {});
            var key = byCode && p.adcode !== undefined ? String(p.adcode) : p.name;
            labels[key] = p.name;
            if (byCode) p.name = key;
            centres[key] = p.centroid || p.center || null;
          });
          window.echarts.registerMap(name, geo);
          return { name: name, centres: centres, labels: labels };
        });
    }
    return geoCache[name];
  }

  window.TTStats = {
    readJson: readJson,
    escape: escape,
    brand: brand,
    formatNumber: formatNumber,
    init: init,
    prune: prune,
    loadMap: loadMap,
  };
})();
