/* On a phone the facet lists would push the results below the fold: fold the ones not in use. */
(function () {
  "use strict";
  function fold() {
    if (!window.matchMedia("(max-width: 768px)").matches) return;
    document.querySelectorAll("details.facet[data-active='false']").forEach(function (d) { d.open = false; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fold);
  else fold();
  document.addEventListener("htmx:afterSettle", fold);
})();
