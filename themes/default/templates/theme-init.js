(function () {
  var root = document.documentElement, chosen = null;
  try { chosen = localStorage.getItem("mapgen-theme"); } catch (e) { /* file:// may refuse */ }
  var fallback = root.getAttribute("data-theme-default");
  if (!chosen && fallback !== "auto") { chosen = fallback; }
  if (!chosen) {
    chosen = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  root.setAttribute("data-theme", chosen);
})();
