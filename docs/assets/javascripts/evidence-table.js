// Facet filters and column sorting for the evidence table. No dependencies, no network.
// Filters: OR within a facet, AND across facets. State is mirrored in the URL query string
// (?substance=lsd&dose=micro) so that links from charts open a filtered list.
(function () {
  "use strict";

  function init() {
    var table = document.getElementById("sd-evidence");
    var source = document.getElementById("sd-facets");
    if (!table || !source || table.dataset.ready) return;
    table.dataset.ready = "1";
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var count = document.getElementById("sd-count");
    var params = new URLSearchParams(window.location.search);
    var form = document.createElement("div");
    form.className = "sd-facets";
    form.setAttribute("role", "group");
    form.setAttribute("aria-label", "Filter studies");

    source.querySelectorAll("ul[data-facet]").forEach(function (list) {
      var facet = list.getAttribute("data-facet");
      var wanted = params.getAll(facet);
      var box = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent =
        list.getAttribute("data-label") || facet.charAt(0).toUpperCase() + facet.slice(1);
      box.appendChild(legend);
      list.querySelectorAll("li[data-value]").forEach(function (item) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "checkbox";
        input.name = facet;
        input.value = item.getAttribute("data-value");
        input.checked = wanted.indexOf(input.value) !== -1;
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + item.textContent));
        box.appendChild(label);
      });
      form.appendChild(box);
    });
    source.parentNode.insertBefore(form, source);

    function apply() {
      var chosen = {};
      form.querySelectorAll("input:checked").forEach(function (input) {
        (chosen[input.name] = chosen[input.name] || []).push(input.value);
      });
      var shown = 0;
      rows.forEach(function (row) {
        var ok = Object.keys(chosen).every(function (facet) {
          var have = (row.getAttribute("data-" + facet) || "").split(" ");
          return chosen[facet].some(function (v) { return have.indexOf(v) !== -1; });
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " studies";
      var query = new URLSearchParams();
      Object.keys(chosen).forEach(function (f) {
        chosen[f].forEach(function (v) { query.append(f, v); });
      });
      var search = query.toString();
      history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
    }
    form.addEventListener("change", apply);

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, index) {
      var kind = cell.getAttribute("data-sort");
      if (!kind) return;
      cell.setAttribute("tabindex", "0");
      cell.setAttribute("aria-sort", "none");
      function sort() {
        var ascending = cell.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
          if (c.hasAttribute("aria-sort")) c.setAttribute("aria-sort", "none");
        });
        cell.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var sorted = rows.slice().sort(function (a, b) {
          var x = a.cells[index].getAttribute("data-value") || a.cells[index].textContent;
          var y = b.cells[index].getAttribute("data-value") || b.cells[index].textContent;
          var d = kind === "number" ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
          return ascending ? d : -d;
        });
        sorted.forEach(function (row) { table.tBodies[0].appendChild(row); });
      }
      cell.addEventListener("click", sort);
      cell.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
    apply();
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
