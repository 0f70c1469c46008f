/* Sign-up: show only the organisation fields that belong to the chosen option; without JavaScript every
 * section stays visible. */
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="organisation_choice"]');
  if (!radios.length) return;
  function update() {
    var chosen = document.querySelector('input[name="organisation_choice"]:checked');
    document.querySelectorAll("[data-org-section]").forEach(function (el) {
      el.hidden = !chosen || el.getAttribute("data-org-section") !== chosen.value;
    });
  }
  radios.forEach(function (r) { r.addEventListener("change", update); });
  update();
})();
