// Tables wider than their column scroll sideways inside Material's wrapper. A wrapper that
// scrolls is made reachable by keyboard (and named for screen readers) whenever it overflows,
// including after a collapsed block is opened or the window is resized.
(function () {
  "use strict";

  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
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
