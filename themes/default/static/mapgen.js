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

  function start() { setUpToggle(); setUpSearch(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
