// The application form: the categories and sub-types offered follow the signing date (the rule set in force
// then: 技术许可 is its own category from 2021-01-01) and the category chosen. The server checks it again.
(function () {
  "use strict";
  var data = document.getElementById("contract-rules");
  var signed = document.getElementById("id_signed_on");
  var category = document.getElementById("id_category");
  var subtype = document.getElementById("id_subtype");
  if (!data || !signed || !category || !subtype) return;
  var ruleSets = JSON.parse(data.textContent);
  var allCategories = Array.prototype.map.call(category.options, function (o) { return [o.value, o.text]; });
  var allSubtypes = Array.prototype.map.call(subtype.options, function (o) { return [o.value, o.text]; });

  function rulesOn(day) {
    var found = null;
    ruleSets.forEach(function (rs) { if (!day || rs.valid_from <= day) found = rs; });
    return found || ruleSets[ruleSets.length - 1];
  }

  function refill(select, options, allowed) {
    var current = select.value;
    select.innerHTML = "";
    options.forEach(function (pair) {
      if (pair[0] !== "" && allowed.indexOf(pair[0]) < 0) return;
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      if (pair[0] === current) option.selected = true;
      select.appendChild(option);
    });
  }

  function update() {
    var rs = rulesOn(signed.value);
    if (!rs) return;
    refill(category, allCategories, Object.keys(rs.categories));
    refill(subtype, allSubtypes, rs.categories[category.value] || []);
  }

  signed.addEventListener("change", update);
  category.addEventListener("change", update);
  update();
})();
