// Camera scanning for a station page: grab a frame a few times a second, ask the server which codes
// are in it, and scan each new one through the page's normal scan form (same rules, same idempotency
// keys, same offline queue as a hand scanner). A code held in view is scanned once, then again only
// after it has been out of view for HOLD_MS.
(function () {
  "use strict";
  const FRAMES_PER_SECOND = 3;
  const HOLD_MS = 4000;
  const lastSeen = new Map();
  let stream = null;
  let timer = null;
  let busy = false;

  function panel() { return document.getElementById("camera-panel"); }
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function submitCode(code) {
    const form = document.getElementById("scan-form");
    const input = document.getElementById("scan-input");
    if (!form || !input) return;
    input.value = code;
    if (window.htmx) htmx.trigger(form, "submit"); else form.requestSubmit();
  }

  async function grab(video, canvas) {
    if (busy || !video.videoWidth) return;
    busy = true;
    try {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      const response = await fetch(panel().dataset.decodeUrl, {
        method: "POST", body: blob, credentials: "same-origin",
        headers: { "Content-Type": "image/jpeg", "X-CSRF-Token": csrfToken() },
      });
      if (!response.ok) return;
      const found = await response.json();
      const now = Date.now();
      const names = [];
      for (const item of found.codes || []) {
        names.push(item.data);
        const before = lastSeen.get(item.data);
        lastSeen.set(item.data, now);
        if (before === undefined || now - before > HOLD_MS) submitCode(item.data);
      }
      document.getElementById("camera-seen").textContent = names.length ? names.join(", ") : "-";
    } catch (error) {
      /* the server is away: the next frame tries again */
    } finally {
      busy = false;
    }
  }

  async function start(button) {
    const view = document.getElementById("camera-view");
    const video = document.getElementById("camera-video");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "environment" }, audio: false,
      });
    } catch (error) {
      document.getElementById("camera-seen").textContent = panel().dataset.textDenied;
      view.hidden = false;
      return;
    }
    video.srcObject = stream;
    view.hidden = false;
    button.textContent = panel().dataset.textOn;
    button.setAttribute("aria-pressed", "true");
    const canvas = document.createElement("canvas");
    timer = setInterval(() => grab(video, canvas), 1000 / FRAMES_PER_SECOND);
  }

  function stop(button) {
    clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    document.getElementById("camera-view").hidden = true;
    button.textContent = panel().dataset.textOff;
    button.setAttribute("aria-pressed", "false");
  }

  document.addEventListener("DOMContentLoaded", function () {
    const button = document.getElementById("camera-toggle");
    if (!button) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      button.disabled = true;
      button.title = panel().dataset.textDenied;
      return;
    }
    button.addEventListener("click", () => (stream ? stop(button) : start(button)));
    if (new URLSearchParams(location.search).get("camera") === "1") start(button);
  });
})();
