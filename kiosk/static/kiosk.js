// Station kiosk behaviour: keep the scan field focused, give each scan an idempotency key and the
// time it was made, remember the signed-in worker, and beep by outcome. htmx does the round trip.
(function () {
  "use strict";
  const station = () => document.getElementById("station");
  const scanInput = () => document.getElementById("scan-input");
  const workerKey = () => "kiosk.worker." + (station() ? station().dataset.station : "");
  const SIGN_IN_HOURS = 12;

  function newKey() {
    // crypto.randomUUID needs a secure context; plant kiosks often use plain http on the LAN.
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function storedBadge() {
    try {
      const saved = JSON.parse(localStorage.getItem(workerKey()) || "null");
      if (saved && Date.now() - saved.at < SIGN_IN_HOURS * 3600 * 1000) return saved.badge;
    } catch (e) { /* corrupt entry: treat as signed out */ }
    return "";
  }

  function rememberBadge(badge) {
    if (badge) localStorage.setItem(workerKey(), JSON.stringify({ badge: badge, at: Date.now() }));
    else localStorage.removeItem(workerKey());
  }

  let audio = null;
  function tone(freq, start, length, type) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = type || "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.25, audio.currentTime + start);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + length);
    osc.connect(gain).connect(audio.destination);
    osc.start(audio.currentTime + start);
    osc.stop(audio.currentTime + start + length + 0.05);
  }
  function beep(outcome) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (outcome === "ok") { tone(1320, 0, 0.12); }
      else if (outcome === "rejected") { tone(220, 0, 0.7, "square"); }
      else if (outcome === "duplicate" || outcome === "warning") { tone(660, 0, 0.15); tone(660, 0.22, 0.15); }
      else if (outcome === "decide") { tone(990, 0, 0.08); }
    } catch (e) { /* no audio device: the colour still tells */ }
    document.body.dataset.lastOutcome = outcome;
  }

  function keepFocus() {
    const input = scanInput();
    if (!input) return;
    const active = document.activeElement;
    // Leave focus alone while the worker uses another control (QC's units field, a button).
    if (active && active !== document.body && active !== input && active.closest("form") && active.id !== "scan-input") return;
    input.focus();
  }

  document.addEventListener("htmx:configRequest", function (event) {
    const form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    if (!form || !form.querySelector("input[name=idem]")) return;
    const params = event.detail.parameters;  // htmx 2: a FormData proxy
    params.idem = newKey();
    params.scanned_at = new Date().toISOString();
    params.worker_badge = storedBadge();
    if (params.code) params.code = String(params.code).trim();
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt;
    if (form && form.id === "scan-form" && !scanInput().value.trim()) event.preventDefault();
  });

  document.addEventListener("htmx:afterSwap", function () {
    const answer = document.querySelector("#scan-result .answer");
    if (answer) beep(answer.dataset.outcome);
    const panel = document.getElementById("worker-panel");
    if (panel && panel.dataset.badge !== undefined) {
      if (panel.dataset.badge) rememberBadge(panel.dataset.badge);
    }
    const input = scanInput();
    if (input) { input.value = ""; }
    const passButton = document.getElementById("qc-pass");
    if (passButton) passButton.focus(); else keepFocus();
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    const panel = event.detail.target;
    if (panel && panel.id === "worker-panel" && panel.dataset.badge) rememberBadge(panel.dataset.badge);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "worker-panel" && event.detail.requestConfig.path.endsWith("/sign-out")) {
      rememberBadge("");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    const result = document.getElementById("scan-result");
    if (result) {
      result.querySelector(".answer").className = "answer rejected";
      result.querySelector(".answer").dataset.outcome = "rejected";
      result.querySelector(".answer-text").textContent = document.body.dataset.offlineText || "No connection to the server. Scan again.";
      beep("rejected");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!station()) return;
    const badge = storedBadge();
    if (badge && window.htmx) {
      htmx.ajax("GET", "/station/" + encodeURIComponent(station().dataset.station) + "/worker?badge=" + encodeURIComponent(badge),
                { target: "#worker-panel", swap: "outerHTML" });
    }
    keepFocus();
    document.addEventListener("click", () => setTimeout(keepFocus, 50));
    setInterval(keepFocus, 1500);
  });
})();
