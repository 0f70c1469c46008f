/* Behaviour every page may need. The Content-Security-Policy allows no inline script or event handler,
 * so what templates used to do inline is declared with data attributes and done here. */
(function () {
  "use strict";

  // <button data-confirm="Question?">: the form is sent only when the question is answered yes.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });

  // "Save this search": the search page changes its address through htmx without reloading this form, so
  // the search to save is the address bar's, read when the form is sent.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-save-search]")) {
      event.detail.parameters.set("search", window.location.search);
    }
  });
})();
