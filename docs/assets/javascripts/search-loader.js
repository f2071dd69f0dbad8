// Loads Pagefind's search interface only when a reader first reaches for the search box
// (pointer over it, keyboard focus, a tap, or Ctrl/Cmd+K): most readers never search, and the
// interface is the heaviest file of a page. A click made before it is ready opens the search
// as soon as it is. No dependencies, no network beyond the site's own bundle.
(function () {
  "use strict";
  var box = document.querySelector(".sd-search[data-bundle]");
  if (!box) return;
  var state = "idle"; // idle → loading → ready
  var openWhenReady = false;
  var focusedButton = null; // the placeholder button, if it had the focus while loading
  box.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("sd-search-button")) {
      focusedButton = event.target;
    }
  });

  function openSearch() {
    var modal = document.querySelector("pagefind-modal");
    if (modal && typeof modal.open === "function") modal.open();
  }

  function load() {
    if (state !== "idle") return;
    state = "loading";
    var bundle = box.getAttribute("data-bundle");
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = bundle + "pagefind-component-ui.css";
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = bundle + "pagefind-component-ui.js";
    script.onload = function () {
      customElements.whenDefined("pagefind-modal").then(function () {
        // Let the components finish setting themselves up before anything opens them.
        window.setTimeout(function () {
          state = "ready";
          // The component replaced the placeholder: keep the keyboard focus on the search.
          if (focusedButton && !focusedButton.isConnected && !openWhenReady) {
            var button = box.querySelector("pagefind-modal-trigger button");
            if (button && document.activeElement === document.body) button.focus();
          }
          if (openWhenReady) openSearch();
        }, 0);
      });
    };
    document.head.appendChild(script);
  }

  ["pointerover", "focusin", "touchstart"].forEach(function (kind) {
    box.addEventListener(kind, load, { passive: true });
  });
  box.addEventListener("click", function (event) {
    if (state === "ready") return; // the component's own button handles it
    if (!event.target.closest("pagefind-modal-trigger")) return;
    // Before the interface is ready the click is on the placeholder, or on the component's
    // button before the component has wired it: either way the search opens once it is
    // ready (opening is idempotent, so a click the component did handle opens it once).
    if (event.target.closest(".sd-search-button")) event.preventDefault();
    openWhenReady = true;
    load();
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K")) {
      if (state === "ready") return;
      event.preventDefault();
      openWhenReady = true;
      load();
    }
  });
})();
