// The station board on a TV: its panels ([data-tv-page]) take turns every data-tv-seconds, so each fits the
// screen; the live stream may redraw the panel at any time, and the page on show stays the same.
(function () {
  "use strict";
  let current = 0;

  function show() {
    if (!document.body.classList.contains("tv")) return;
    const pages = Array.from(document.querySelectorAll("#station-panel [data-tv-page]"));
    pages.forEach((page, index) => { page.hidden = index !== current % pages.length; });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const board = document.getElementById("station-board");
    if (!board || !document.body.classList.contains("tv")) return;
    const seconds = Math.max(3, Number(board.dataset.tvSeconds) || 15);
    show();
    setInterval(() => { current += 1; show(); }, seconds * 1000);
    document.addEventListener("htmx:afterSettle", show);
  });
})();
