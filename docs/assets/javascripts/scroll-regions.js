// Tables wider than their column scroll sideways inside Material's wrapper. A wrapper that
// scrolls is made reachable by keyboard (and named for screen readers) whenever it overflows,
// including after a collapsed block is opened or the window is resized.
(function () {
  "use strict";

  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap, index) {
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        // Each region's name is unique (axe: landmark-unique): the table's place and its
        // first column.
        var th = wrap.querySelector("th");
        var first = th ? th.textContent.trim() : "";
        wrap.setAttribute(
          "aria-label",
          "Table " + (index + 1) + (first ? " (" + first + ")" : "") + ", scrolls sideways"
        );
        wrap.classList.add("sd-scrolls");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        wrap.classList.remove("sd-scrolls");
      }
    });
  }

  function init() {
    mark();
    document.querySelectorAll("details").forEach(function (block) {
      block.addEventListener("toggle", mark);
    });
  }

  window.addEventListener("resize", mark);
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
