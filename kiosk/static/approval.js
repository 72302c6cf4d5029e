// Approvals at a station kiosk (docs/access.md): a supervisor scans their own badge and taps their PIN
// on a keypad ([data-approval] panels). The PIN is never a text field and never enters the kiosk's offline
// queue; the approval holds the keyboard only while it is being given: once it is sent, closed or left
// idle for IDLE_MS, the PIN is wiped, the panel closes and the scan field has the focus again.
(function () {
  "use strict";
  const IDLE_MS = 30000;
  const MAX_PIN = 8;
  const timers = new WeakMap();

  function scanField() { return document.getElementById("scan-input"); }

  function showPin(pad) {
    const field = pad.querySelector("[data-pin]");
    const shown = pad.querySelector("[data-pin-shown]");
    if (shown) shown.textContent = "●".repeat(field ? field.value.length : 0);
  }

  function wipe(box) {
    box.querySelectorAll("[data-pin]").forEach((field) => { field.value = ""; });
    box.querySelectorAll("[data-pin-pad]").forEach(showPin);
  }

  function backToScanning(box) {
    clearTimeout(timers.get(box));
    wipe(box);
    if (box.open) box.open = false;
    const field = scanField();
    if (field) field.focus({ preventScroll: true });
  }

  function stillHere(box) {
    clearTimeout(timers.get(box));
    timers.set(box, setTimeout(() => backToScanning(box), IDLE_MS));
  }

  document.addEventListener("toggle", (event) => {
    const box = event.target;
    if (!(box instanceof Element) || !box.matches("[data-approval]")) return;
    if (box.open) stillHere(box); else backToScanning(box);
  }, true);

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    const key = event.target.closest("[data-pin-key]");
    const box = event.target.closest("[data-approval]");
    if (box) stillHere(box);
    if (!key) return;
    const pad = key.closest("[data-pin-pad]");
    const field = pad && pad.querySelector("[data-pin]");
    if (!field) return;
    const pressed = key.dataset.pinKey;
    if (pressed === "clear") field.value = "";
    else if (pressed === "back") field.value = field.value.slice(0, -1);
    else if (/^[0-9]$/.test(pressed) && field.value.length < MAX_PIN) field.value += pressed;
    showPin(pad);
  });

  document.addEventListener("input", (event) => {
    const box = event.target instanceof Element && event.target.closest("[data-approval]");
    if (box) stillHere(box);
  }, true);

  // A scanner ends the badge with Enter: in an approval it fills the field, it does not send the approval.
  document.addEventListener("keydown", (event) => {
    const box = event.target instanceof Element && event.target.closest("[data-approval]");
    if (box && event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
  }, true);

  // Sent: wipe the PIN from the page at once (the request already carries it), and give the focus back.
  document.addEventListener("htmx:beforeSend", (event) => {
    const box = event.target instanceof Element && event.target.closest("[data-approval]");
    if (box) setTimeout(() => backToScanning(box), 0);
  });
})();
