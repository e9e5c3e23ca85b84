/* mapgen default theme: the light/dark toggle and the search page. No network. */
(function () {
  "use strict";

  function setUpToggle() {
    var button = document.querySelector(".theme-toggle");
    if (!button) { return; }
    var root = document.documentElement;
    button.hidden = false;
    function show() {
      var dark = root.getAttribute("data-theme") === "dark";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
      button.title = dark ? "Switch to light mode" : "Switch to dark mode";
    }
    button.addEventListener("click", function () {
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("mapgen-theme", next); } catch (e) { /* file:// */ }
      show();
    });
    show();
  }

  function words(text) {
    return (text || "").toLowerCase().split(/\s+/).filter(Boolean);
  }

  function setUpSearch() {
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !list || !status) { return; }
    var index = window.MAPGEN_SEARCH || [];

    function run() {
      var wanted = words(input.value);
      list.textContent = "";
      if (!wanted.length) { status.textContent = ""; return; }
      var found = index.filter(function (entry) {
        var haystack = (entry.t + " " + entry.x).toLowerCase();
        return wanted.every(function (word) { return haystack.indexOf(word) !== -1; });
      });
      found.sort(function (a, b) {
        var at = wanted.every(function (w) { return a.t.toLowerCase().indexOf(w) !== -1; });
        var bt = wanted.every(function (w) { return b.t.toLowerCase().indexOf(w) !== -1; });
        return (bt ? 1 : 0) - (at ? 1 : 0);
      });
      found.slice(0, 100).forEach(function (entry) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = entry.u;
        link.textContent = entry.t;
        var kind = document.createElement("span");
        kind.className = "badge";
        kind.textContent = entry.k;
        item.appendChild(kind);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(link);
        list.appendChild(item);
      });
      status.textContent = found.length ? found.length + " result" + (found.length === 1 ? "" : "s")
                                        : "Nothing matches \u201c" + input.value + "\u201d.";
    }

    var query = new URLSearchParams(window.location.search).get("q");
    if (query) { input.value = query; }
    input.addEventListener("input", run);
    input.form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    run();
  }

  /* The journey map: a shadow on each edge the map can still scroll towards, the
     "scroll sideways" hint only when it can, and a step's link (#step-x) that lands on
     its card where the phone layout shows cards instead of the table. */
  function setUpCanvas() {
    var frame = document.querySelector(".canvas-frame");
    if (!frame) { return; }
    var scroller = frame.querySelector(".canvas-scroll");
    var hint = document.querySelector(".scroll-hint");
    function update() {
      var room = scroller.scrollWidth - scroller.clientWidth;
      var gone = Math.abs(scroller.scrollLeft);  /* negative when dir="rtl" */
      frame.classList.toggle("more-before", room > 1 && gone > 1);
      frame.classList.toggle("more-after", room > 1 && gone < room - 1);
      if (hint) { hint.hidden = room <= 1; }
    }
    scroller.addEventListener("scroll", update, {passive: true});
    window.addEventListener("resize", update);
    update();
    function toCard() {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = id && document.getElementById(id);
      if (target && id.indexOf("step-") === 0 && !target.getClientRects().length) {
        var card = document.getElementById("card-" + id.slice(5));
        if (card) { card.scrollIntoView(); }
      }
    }
    window.addEventListener("hashchange", toCard);
    toCard();
    var nav = document.querySelector(".stage-nav");
    if (nav) { nav.addEventListener("click", function (event) { toStage(event, scroller); }); }
    fitOnPrint(scroller.querySelector("table"));
  }

  /* A stage's link in the bar above a long map: scroll the map sideways until the stage
     starts just after the lane names (the browser's own jump would put the header under
     them, or scroll the page to the stuck header). */
  function toStage(event, scroller) {
    var link = event.target.closest("a");
    var header = link && document.getElementById(link.hash.slice(1));
    if (!header) { return; }
    event.preventDefault();
    var lanes = scroller.querySelector("th[scope='row']");
    var names = lanes ? lanes.getBoundingClientRect().width : 0;
    var box = header.getBoundingClientRect(), frame = scroller.getBoundingClientRect();
    var rtl = getComputedStyle(scroller).direction === "rtl";
    var by = rtl ? box.right - (frame.right - names) : box.left - (frame.left + names);
    scroller.scrollBy({left: by, top: -scroller.scrollTop});
    if (frame.top < 0 || frame.top > window.innerHeight / 2) { scroller.scrollIntoView(); }
  }

  /* Printed, the map is a poster on one A3 landscape page (journey.html asks for that
     page): its text and spacing are scaled to fill the page's height, down for a long
     map, up a little for a short one (its width stays the page's). The scale is found
     once print layout applies, so it is measured on the printed map; but Chromium counts
     the pages from the layout before that, so "beforeprint" first shrinks the map to the
     smallest scale allowed. */
  var PRINTED_HEIGHT = 1050;  /* A3 landscape less 8 mm margins, in CSS px, less a little */
  var SMALLEST = 0.35, LARGEST = 1.5;

  function fitOnPrint(table) {
    var print = window.matchMedia && window.matchMedia("print");
    if (!table || !print) { return; }
    function scale(zoom) { table.style.zoom = zoom === 1 ? "" : String(zoom); }
    function fits(zoom) {
      scale(zoom);
      return document.body.getBoundingClientRect().height <= PRINTED_HEIGHT;
    }
    function fit() {
      scale(1);
      if (!print.matches) { return; }
      var roomy = fits(1);
      var low = roomy ? 1 : SMALLEST, high = roomy ? LARGEST : 1;
      for (var i = 0; i < 8; i += 1) {
        var middle = (low + high) / 2;
        if (fits(middle)) { low = middle; } else { high = middle; }
      }
      scale(low);
    }
    window.addEventListener("beforeprint", function () { scale(SMALLEST); });
    print.addEventListener("change", fit);
  }

  function start() { setUpToggle(); setUpSearch(); setUpCanvas(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
