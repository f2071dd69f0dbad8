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

    function apply(keepUrl) {
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
      if (count) {
        var names = [];
        form.querySelectorAll("input:checked").forEach(function (input) {
          names.push(input.parentNode.textContent.trim());
        });
        count.textContent =
          shown + " of " + rows.length + " studies" + (names.length ? ": " + names.join(", ") : "");
      }
      var query = new URLSearchParams();
      Object.keys(chosen).forEach(function (f) {
        chosen[f].forEach(function (v) { query.append(f, v); });
      });
      if (keepUrl) return;
      var search = query.toString();
      history.replaceState(history.state, "", window.location.pathname + (search ? "?" + search : ""));
    }
    form.addEventListener("change", function () { apply(); });

    // Tick the boxes a query string names (a map link, or the back and forward buttons).
    function fromQuery(search) {
      var wanted = new URLSearchParams(search);
      form.querySelectorAll("input").forEach(function (input) {
        input.checked = wanted.getAll(input.name).indexOf(input.value) !== -1;
      });
    }

    // Bring the filtered list into view and put the focus on its count, which says how many
    // studies are shown; the sticky header is kept clear by scroll-margin in the stylesheet.
    function reveal() {
      if (!count) return;
      count.setAttribute("tabindex", "-1");
      count.scrollIntoView({ block: "start" });
      count.focus({ preventScroll: true });
    }

    // A circle of a map on this page filters in place: the current view is kept as a history
    // entry (with its scroll position), so the back button returns to the map.
    document.querySelectorAll("svg.sd-chart a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = new URL(link.getAttribute("href"), window.location.href);
        if (target.pathname !== window.location.pathname) return;
        event.preventDefault();
        history.replaceState({ scrollY: window.scrollY }, "", window.location.href);
        history.pushState({ filtered: true }, "", target.pathname + target.search);
        fromQuery(target.search);
        apply(true);
        reveal();
      });
    });
    window.addEventListener("popstate", function (event) {
      fromQuery(window.location.search);
      apply(true);
      var state = event.state || {};
      if (typeof state.scrollY === "number") window.scrollTo(0, state.scrollY);
      else if (window.location.search) reveal();
    });

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
    // Arriving from a map elsewhere (the home page): the list it asked for, in view.
    if (window.location.search && form.querySelector("input:checked")) reveal();
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
