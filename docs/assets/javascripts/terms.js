// Glossary terms show their definition below them on hover and keyboard focus (CSS). Near the
// right edge of a narrow screen the definition would run off it: this shifts it left, just
// enough to stay on screen. No dependencies, no network.
(function () {
  "use strict";
  var MARGIN = 8;

  function place(event) {
    var term = event.target.closest && event.target.closest("a.sd-term");
    if (!term) return;
    var rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    var width = Math.min(18 * rem, window.innerWidth - rem);
    var left = term.getBoundingClientRect().left;
    var shift = Math.min(0, window.innerWidth - MARGIN - (left + width));
    shift = Math.max(shift, MARGIN - left); // never off the left edge either
    term.style.setProperty("--sd-tip-shift", shift + "px");
  }

  document.addEventListener("mouseover", place);
  document.addEventListener("focusin", place);
  document.addEventListener("touchstart", place, { passive: true });
})();
