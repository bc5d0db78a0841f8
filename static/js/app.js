// Keyboard shortcuts of the 卓越精财 manual: Alt+A add, Alt+E edit, Alt+D delete, Ctrl+P print, F1 help.
(function () {
  function clickShortcut(name) {
    var el = document.querySelector('[data-shortcut="' + name + '"]');
    if (el) { el.click(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (e) {
    var key = (e.key || "").toLowerCase();
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      var map = { a: "add", e: "edit", d: "delete" };
      if (map[key] && clickShortcut(map[key])) { e.preventDefault(); }
    } else if ((e.ctrlKey || e.metaKey) && key === "p") {
      if (clickShortcut("print")) { e.preventDefault(); }
    } else if (e.key === "F1") {
      e.preventDefault();
      if (!clickShortcut("help")) {
        var modal = document.getElementById("help-modal");
        // Tabler's bundle exposes the Bootstrap components as window.tabler.
        var BS = window.bootstrap || window.tabler;
        if (modal && BS) { BS.Modal.getOrCreateInstance(modal).show(); }
      }
    }
  });
  // Confirm dangerous buttons in Chinese or English as the page language says.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
})();
