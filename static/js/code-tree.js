/* Cascading choosers for the tree-shaped code tables (core/forms.py CodeTreeSelect).
 * The server renders one <select> grouped by province (or industry section); it works as it is without
 * JavaScript. Here a chooser of the group goes in front of it, and the list shows only the chosen group:
 * province first, then the city or district from a short list. With nothing chosen, the full list stays. */
(function () {
  "use strict";

  function enhance(select) {
    if (select.dataset.codeTreeReady) return;
    var groups = Array.prototype.filter.call(select.children, function (el) { return el.tagName === "OPTGROUP"; });
    if (groups.length < 2) return;
    select.dataset.codeTreeReady = "1";
    var loose = Array.prototype.filter.call(select.children, function (el) { return el.tagName === "OPTION"; });
    var multiple = select.multiple;

    var picker = document.createElement("select");
    picker.className = "code-tree-group";
    picker.setAttribute("aria-label", select.dataset.groupLabel || "");
    picker.setAttribute("aria-controls", select.id);
    picker.add(new Option("—", ""));
    groups.forEach(function (group, i) { picker.add(new Option(group.label, String(i))); });

    var wrapper = document.createElement("div");
    wrapper.className = "code-tree";
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(picker);
    wrapper.appendChild(select);

    function show(index) {
      if (multiple) {
        // Options that stay in the list stay selected and are sent, wherever the chooser points.
        groups.forEach(function (group, i) { group.hidden = index !== "" && String(i) !== index; });
        return;
      }
      var value = select.value;
      while (select.firstChild) select.removeChild(select.firstChild);
      loose.forEach(function (option) { select.appendChild(option); });
      groups.forEach(function (group, i) { if (index === "" || String(i) === index) select.appendChild(group); });
      select.value = value;
    }

    function groupOf(option) {
      return option && option.parentNode && option.parentNode.tagName === "OPTGROUP" ? groups.indexOf(option.parentNode) : -1;
    }

    var current = multiple ? null : select.options[select.selectedIndex];
    var start = groupOf(current);
    picker.value = start >= 0 ? String(start) : "";
    show(picker.value);

    picker.addEventListener("change", function () {
      show(picker.value);
      if (!multiple && picker.value !== "" && groupOf(select.options[select.selectedIndex]) !== Number(picker.value)) {
        // The province (or section) itself, until a narrower one is chosen from the shortened list.
        select.value = groups[Number(picker.value)].querySelector("option").value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });

    // A choice made from the full list moves the group chooser to its group.
    select.addEventListener("change", function () {
      if (multiple || picker.value !== "") return;
      var group = groupOf(select.options[select.selectedIndex]);
      if (group >= 0) {
        picker.value = String(group);
        show(picker.value);
      }
    });
  }

  function init(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select[data-code-tree]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
