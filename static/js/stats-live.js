/* The live board (S11): today's registrations, turnover and flows, refreshed every few seconds from the
 * board's JSON endpoint without reloading the page. The first figures come with the page (json_script), so
 * the board shows them even before the first poll; a failed poll leaves them and marks the board stale. */
(function () {
  "use strict";

  var S = window.TTStats;
  var last = "";

  function setText(name, value) {
    document.querySelectorAll('[data-live="' + name + '"]').forEach(function (el) {
      if (el.textContent !== value) {
        el.textContent = value;
        el.classList.remove("live-flash");
        void el.offsetWidth; // restart the highlight animation
        el.classList.add("live-flash");
      }
    });
  }

  function ticker(rows, board) {
    var list = document.getElementById("live-ticker");
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!rows.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = board.dataset.emptyText || "";
      list.appendChild(empty);
      return;
    }
    rows.forEach(function (row) {
      var li = document.createElement("li");
      var time = document.createElement("time");
      time.textContent = row.time || "";
      if (row.datetime) time.setAttribute("datetime", row.datetime);
      var what = document.createElement("span");
      what.className = "ticker-what";
      what.textContent = [row.category, row.field].filter(Boolean).join(" · ");
      var where = document.createElement("span");
      where.className = "ticker-where";
      where.textContent = [row.from, row.to].filter(Boolean).join(" → ");
      var amount = document.createElement("strong");
      amount.textContent = row.turnover_text || "";
      li.appendChild(time);
      li.appendChild(what);
      li.appendChild(where);
      li.appendChild(amount);
      list.appendChild(li);
    });
  }

  function render(data, board) {
    var key = JSON.stringify(data);
    if (key === last) return;
    last = key;
    setText("contracts", S.formatNumber(data.contracts, 0));
    setText("turnover", S.formatNumber(data.turnover, 2));
    setText("technical_value", S.formatNumber(data.technical_value, 2));
    setText("provinces", S.formatNumber(data.provinces_reached, 0));
    setText("as_of", data.as_of_text || "");
    ticker(data.latest || [], board);
    var map = document.getElementById("live-map");
    if (map && window.echarts && S.chinaMap) {
      S.chinaMap(map, data.map, { dark: true, compact: window.innerWidth < 700 });
    }
  }

  function poll(board) {
    var url = board.dataset.endpoint;
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        board.classList.remove("stale");
        render(data, board);
      })
      .catch(function () {
        board.classList.add("stale");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("live-board");
    if (!board) return;
    var first = S.readJson("stats-live-data");
    if (first) render(first, board);
    var seconds = Math.max(2, parseInt(board.dataset.interval || "5", 10));
    window.setInterval(function () {
      if (!document.hidden) poll(board);
    }, seconds * 1000);
  });
})();
