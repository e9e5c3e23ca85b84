/* mapgen default theme: the light/dark toggle and the search page. No network. */
(function () {
  "use strict";

  /* What the script says, in the site's language: the page's JSON of "script.*"
     messages (see mapgen.messages), placeholders such as {count} filled in. */
  var TEXT = (function () {
    var element = document.getElementById("mapgen-text");
    try { return element ? JSON.parse(element.textContent) : {}; } catch (e) { return {}; }
  })();

  function say(key, values, count) {
    var text = TEXT[key];
    if (text && typeof text === "object") {
      var form = "other";
      try { form = new Intl.PluralRules(TEXT.lang).select(count); } catch (e) { /* old */ }
      text = text[form] || text.other;
    }
    values = values || {};
    return String(text || key).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function number(value) {
    try { return new Intl.NumberFormat(TEXT.lang).format(value); } catch (e) { return String(value); }
  }

  function setUpToggle() {
    var button = document.querySelector(".theme-toggle");
    if (!button) { return; }
    var root = document.documentElement;
    button.hidden = false;
    function show() {
      var dark = root.getAttribute("data-theme") === "dark";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
      button.title = say(dark ? "script.to_light" : "script.to_dark");
    }
    button.addEventListener("click", function () {
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("mapgen-theme", next); } catch (e) { /* file:// */ }
      show();
    });
    show();
  }

  /* Search reads an index in pieces (see mapgen/site/search.py): meta.js, loaded with
     the page, says how many term files there are; a query loads the term file of each
     of its words, then the blocks of entries it shows. Each piece is a script, which
     browsers load from file:// as well as over HTTP (fetch would not work from disk). */
  var PARTS = "MAPGEN_SEARCH_PARTS";
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u{20000}-\u{2ffff}]/u;
  var SHOWN = 100;

  /* The terms of a text, as search.py's `terms` cuts them: words in lower case; in
     Chinese, Japanese and Korean text, each pair of neighbouring characters (a lone
     character on its own). */
  function terms(text) {
    var out = [];
    (text || "").normalize("NFKC").toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u)
      .forEach(function (word) {
        var run = [], latin = "";
        Array.from(word).concat([null]).forEach(function (char) {
          if (char !== null && CJK.test(char)) {
            if (latin) { out.push(latin); latin = ""; }
            run.push(char);
            return;
          }
          if (run.length === 1) { out.push(run[0]); }
          for (var i = 0; i + 1 < run.length; i += 1) { out.push(run[i] + run[i + 1]); }
          run = [];
          if (char !== null) { latin += char; }
        });
        if (latin) { out.push(latin); }
      });
    return out.filter(function (term, i) { return term && out.indexOf(term) === i; });
  }

  /* The term file of a term: FNV-1a of its first two code points (as bucket_of). */
  function bucketOf(term, buckets) {
    var hash = 0x811c9dc5;
    Array.from(term).slice(0, 2).forEach(function (char) {
      hash = Math.imul(hash ^ char.codePointAt(0), 0x01000193) >>> 0;
    });
    return hash & (buckets - 1);
  }

  /* Entry numbers from numbers.py's `encode_ids`: gaps in base 36, "gap-n" for a run;
     or "~first~bits", a bitmap six bits a character. */
  var BITMAP = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  function decode(text, into) {
    var previous = -1;
    if (!text) { return; }
    if (text.charAt(0) === "~") {
      var parts = text.split("~"), first = parseInt(parts[1], 36), bits = parts[2];
      for (var c = 0; c < bits.length; c += 1) {
        var value = BITMAP.indexOf(bits.charAt(c));
        for (var bit = 0; bit < 6; bit += 1) {
          if (value & (1 << bit)) { into[first + c * 6 + bit] = true; }
        }
      }
      return;
    }
    text.split(",").forEach(function (item) {
      var parts = item.split("-");
      var first = previous + parseInt(parts[0], 36);
      var more = parts.length > 1 ? parseInt(parts[1], 36) : 0;
      for (var id = first; id <= first + more; id += 1) { into[id] = true; }
      previous = first + more;
    });
  }

  /* The entries a term finds in its file: {title: {id: true}, any: {id: true}}. A term
     of one character is a whole word (or one CJK character); a longer one a prefix. */
  function matches(term, shard) {
    var found = {title: {}, any: {}}, whole = Array.from(term).length === 1;
    Object.keys(shard).forEach(function (candidate) {
      if (whole ? candidate !== term : candidate.lastIndexOf(term, 0) !== 0) { return; }
      decode(shard[candidate][0], found.title);
      decode(shard[candidate][0], found.any);
      decode(shard[candidate][1], found.any);
    });
    return found;
  }

  /* Entries every term finds, those whose title has every term first. */
  function rank(found) {
    var ids = Object.keys(found[0].any).map(Number).filter(function (id) {
      return found.every(function (f) { return f.any[id]; });
    }).sort(function (a, b) { return a - b; });
    var inTitle = ids.filter(function (id) { return found.every(function (f) { return f.title[id]; }); });
    return inTitle.concat(ids.filter(function (id) {
      return !found.every(function (f) { return f.title[id]; });
    }));
  }

  function setUpSearch() {
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !list || !status) { return; }
    var base = input.form.getAttribute("data-index") || "assets/search/";
    var meta = (window[PARTS] || {}).meta;
    var loading = {}, latest = 0;

    function load(name) {
      if (!loading[name]) {
        loading[name] = new Promise(function (resolve, reject) {
          var script = document.createElement("script");
          script.src = base + name + ".js";
          script.onload = function () { resolve((window[PARTS] || {})[name] || {}); };
          script.onerror = function () { delete loading[name]; reject(new Error(name)); };
          document.head.appendChild(script);
        });
      }
      return loading[name];
    }

    function show(entries, total, query) {
      list.textContent = "";
      entries.forEach(function (entry) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = entry[2];
        link.textContent = entry[1];
        var kind = document.createElement("span");
        kind.className = "badge";
        kind.textContent = say("script.kind." + meta.kinds[entry[0]]);
        item.appendChild(kind);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(link);
        list.appendChild(item);
      });
      status.textContent = total ? say("script.results", {count: number(total)}, total)
                                 : say("script.nothing", {query: query});
    }

    function run() {
      var query = input.value, wanted = terms(query), mine = latest += 1;
      if (!wanted.length) { list.textContent = ""; status.textContent = ""; return; }
      if (!meta) { status.textContent = say("script.failed"); return; }
      status.textContent = say("script.loading");
      Promise.all(wanted.map(function (term) {
        return load("t" + bucketOf(term, meta.buckets)).then(function (shard) {
          return matches(term, shard);
        });
      })).then(function (found) {
        var ranked = rank(found), shown = ranked.slice(0, SHOWN);
        var blocks = shown.map(function (id) { return Math.floor(id / meta.block); })
          .filter(function (block, i, all) { return all.indexOf(block) === i; });
        return Promise.all(blocks.map(function (block) { return load("e" + block); }))
          .then(function (loaded) {
            if (mine !== latest) { return; }
            show(shown.map(function (id) {
              return loaded[blocks.indexOf(Math.floor(id / meta.block))][id % meta.block];
            }), ranked.length, query);
          });
      }).catch(function () {
        if (mine === latest) { status.textContent = say("script.failed"); }
      });
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

  /* Printed, the map is a poster on one landscape page, A3, A2 or A1 by its number of
     steps (journey.html asks for that page; the table says which in data-paper). Its text
     and spacing are scaled to fill the page's height, down for a long map, up a little
     for a short one (its width stays the page's); then down again until every word fits
     its column whole. Words longer than LONG_WORD characters (a pasted link) are left to
     break, and so is every word if even the smallest scale cannot keep them whole
     ("words-break"). The scale is found once print layout applies, so it is measured on
     the printed map; but Chromium counts the pages from the layout before that, so
     "beforeprint" first shrinks the map to the smallest scale allowed. */
  var PRINTED_HEIGHT = {A3: 1050, A2: 1510, A1: 2160};  /* landscape less 8 mm margins, in CSS px, less a little */
  var SMALLEST = 0.35, LARGEST = 1.5, LONG_WORD = 24;

  function fitOnPrint(table) {
    var print = window.matchMedia && window.matchMedia("print");
    if (!table || !print) { return; }
    var height = PRINTED_HEIGHT[table.dataset.paper] || PRINTED_HEIGHT.A3;
    var cells = null;  /* those without a long word; found in print layout (innerText) */
    function wordsToKeep() {
      return Array.prototype.filter.call(table.querySelectorAll("th, td"), function (cell) {
        var long = cell.innerText.split(/\s+/).some(function (word) { return word.length > LONG_WORD; });
        cell.classList.toggle("long-word", long);
        return !long;
      });
    }
    function scale(zoom) { table.style.zoom = zoom === 1 ? "" : String(zoom); }
    function onThePage(zoom) {
      scale(zoom);
      return document.body.getBoundingClientRect().height <= height;
    }
    function wordsWhole(zoom) {
      scale(zoom);
      return cells.every(function (cell) { return cell.scrollWidth <= cell.clientWidth + 1; });
    }
    /* The largest zoom from low to high that passes (a test passes below some zoom). */
    function largest(passes, low, high) {
      if (passes(high)) { return high; }
      for (var i = 0; i < 10; i += 1) {
        var middle = (low + high) / 2;
        if (passes(middle)) { low = middle; } else { high = middle; }
      }
      return low;
    }
    function fit() {
      scale(1);
      table.classList.remove("words-break");
      if (!print.matches) { return; }
      cells = cells || wordsToKeep();
      var zoom = largest(wordsWhole, SMALLEST, largest(onThePage, SMALLEST, LARGEST));
      table.classList.toggle("words-break", !wordsWhole(zoom));
      scale(zoom);
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
