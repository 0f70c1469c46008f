/* The achievement form: warn as soon as a classified secrecy level is chosen (the server refuses to submit
 * it anyway). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.name === "secrecy") {
      document.getElementById("secrecy-warning").hidden = select.value === select.dataset.unclassified;
    }
  });
})();
