// Opportunity board: plain HTML5 drag and drop; a drop POSTs the move with HTMX and the server
// redraws the board from the database, so a refused move simply snaps back with its reason shown.
(function () {
  "use strict";
  let dragged = null;

  function board() { return document.getElementById("board"); }

  document.addEventListener("dragstart", function (e) {
    const card = e.target.closest && e.target.closest(".zg-card[draggable='true']");
    if (!card || !board() || !board().contains(card)) return;
    dragged = card;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".zg-col.zg-over").forEach(function (c) { c.classList.remove("zg-over"); });
  });

  document.addEventListener("dragover", function (e) {
    const col = e.target.closest && e.target.closest(".zg-col[data-stage]");
    if (!dragged || !col || !col.dataset.stage) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    col.classList.add("zg-over");
  });

  document.addEventListener("dragleave", function (e) {
    const col = e.target.closest && e.target.closest(".zg-col");
    if (col && !col.contains(e.relatedTarget)) col.classList.remove("zg-over");
  });

  document.addEventListener("drop", function (e) {
    const col = e.target.closest && e.target.closest(".zg-col[data-stage]");
    if (!dragged || !col || !col.dataset.stage) return;
    e.preventDefault();
    col.classList.remove("zg-over");
    const card = dragged;
    dragged = null;
    if (card.closest(".zg-col") === col) return;
    col.querySelector(".zg-col-body").prepend(card);  // shown at once; the server's answer decides
    const root = board();
    const url = root.dataset.moveUrl.replace("/0/", "/" + card.dataset.id + "/");
    htmx.ajax("POST", url, {
      source: root, target: "#board", swap: "outerHTML",
      values: {stage: col.dataset.stage, version: card.dataset.version, owner: root.dataset.owner || ""},
    });
  });

  // Out of scope (404) or no permission (403): nothing moved; draw the board again from the server.
  document.addEventListener("htmx:responseError", function (e) {
    if (!e.detail.target || e.detail.target.id !== "board") return;
    const root = board();
    const note = root ? root.dataset.refused : "";
    htmx.ajax("GET", window.location.pathname + window.location.search, {target: "#board", swap: "outerHTML"})
      .then(function () {
        const fresh = board();
        if (fresh && note) {
          const alert = document.createElement("div");
          alert.className = "alert alert-danger shadow position-fixed top-0 start-50 translate-middle-x mt-3";
          alert.style.zIndex = "1080";
          alert.setAttribute("role", "alert");
          alert.textContent = note;
          fresh.prepend(alert);
        }
      });
  });

  // A refused move answers 409 with the redrawn board and the reason: show it rather than drop it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 409 && e.detail.target && e.detail.target.id === "board") {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
