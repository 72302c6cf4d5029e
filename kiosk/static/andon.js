// Andon timers: every [data-elapsed] timer of an open call counts on each second from the seconds the
// server measured when it drew the page (so a kiosk's or TV's own clock does not matter).
(function () {
  "use strict";
  const drawn = new WeakMap();  // timer element -> time it was first seen (performance.now)

  function show(timer, seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = String(s % 60).padStart(2, "0");
    timer.textContent = h ? h + ":" + String(m).padStart(2, "0") + ":" + rest : m + ":" + rest;
  }

  function tick() {
    const now = performance.now();
    document.querySelectorAll(".andon-timer[data-elapsed]").forEach((timer) => {
      if (!drawn.has(timer)) drawn.set(timer, now);
      const base = Number(timer.dataset.elapsed) || 0;
      show(timer, timer.dataset.running === "1" ? base + (now - drawn.get(timer)) / 1000 : base);
    });
  }

  document.addEventListener("DOMContentLoaded", () => { tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:load", tick);  // new calls start counting from when they arrived
})();
