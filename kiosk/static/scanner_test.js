// The scanner self-test page: list each key the scanner sends (key, physical code, keyCode, gap in ms,
// whether an input method is composing), then say whether the suffix arrived, what the kiosk reads the code
// as (the same rules as a station page: kiosk.js window.kioskScanner) and which test code it matches.
(function () {
  "use strict";
  const IDLE_MS = 800;  // keys then silence with no suffix: the scanner sends none
  let keys = [];
  let last = null;
  let started = null;
  let sawIme = false;
  let idle = null;

  const box = () => document.getElementById("scanner-test");
  const say = (name, params) => (box().dataset[name] || name).replace(/\{(\w+)\}/g, (m, k) => (params && k in params ? params[k] : m));
  const shown = (text) => String(text).replace(/\x1d/g, "<GS>");

  function set(id, text, good) {
    const el = document.getElementById(id);
    el.textContent = text;
    el.className = good === undefined ? "" : (good ? "good" : "bad");
  }

  function addRow(entry, index) {
    const row = document.createElement("tr");
    for (const value of [index, entry.key === "\x1d" ? "<GS>" : entry.key, entry.code, entry.keyCode,
                         Math.round(entry.gap), entry.ime ? "IME" : ""]) {
      const cell = document.createElement("td");
      cell.textContent = String(value);
      row.appendChild(cell);
    }
    document.querySelector("#test-keys tbody").appendChild(row);
  }

  function isSuffixKey(entry) {
    return ["Enter", "NumpadEnter", "Tab"].includes(entry.code) || entry.key === "Enter" || entry.key === "Tab";
  }

  function finish(suffix) {
    clearTimeout(idle);
    const input = document.getElementById("test-input");
    setTimeout(() => {
      const typed = keys.filter((k) => !isSuffixKey(k));
      const expected = box().dataset.suffix;
      if (suffix) set("test-suffix", suffix === expected ? say("tSuffixOk", { suffix: suffix }) : say("tSuffixWrong", { suffix: suffix, expected: expected }), suffix === expected);
      else set("test-suffix", say("tNoSuffix", { expected: expected }), false);
      set("test-ime", sawIme ? say("tImeOn") : say("tNo"), !sawIme);
      const fromKeys = window.kioskScanner ? window.kioskScanner.fromKeys(typed) : null;
      const raw = sawIme ? (fromKeys || "") : input.value;
      const read = window.kioskScanner ? window.kioskScanner.readScan(raw) : { code: raw };
      set("test-read", read.refused || shown(read.code) || "-", !!read.code);
      const spent = typed.length ? Math.round(performance.now() - started) : 0;
      set("test-timing", typed.length + " · " + spent + " ms");
      let matched = null;
      document.querySelectorAll(".sample").forEach((sample) => {
        const hit = read.code && shown(read.code) === sample.dataset.expect;
        sample.classList.toggle("matched", !!hit);
        if (hit) matched = sample.dataset.name;
      });
      set("test-match", matched ? say("tMatches", { name: matched }) : say("tNoMatch"), !!matched);
      keys = [];
      last = null;
      sawIme = false;
      input.value = "";
    }, 0);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const input = document.getElementById("test-input");
    if (!input) return;
    input.focus();
    input.addEventListener("keydown", (event) => {
      const now = performance.now();
      if (last === null) { started = now; document.querySelector("#test-keys tbody").replaceChildren(); }
      const entry = { key: event.key, code: event.code, keyCode: event.keyCode, gap: last === null ? 0 : now - last,
                      ime: event.isComposing || event.keyCode === 229 || event.key === "Process",
                      shift: event.shiftKey, ctrl: event.ctrlKey };
      last = now;
      if (entry.ime) sawIme = true;
      keys.push(entry);
      addRow(entry, keys.length);
      if (event.ctrlKey && event.code === "BracketRight") { event.preventDefault(); input.value += "\x1d"; }
      if (isSuffixKey(entry)) {
        event.preventDefault();
        finish(entry.code === "Tab" || entry.key === "Tab" ? "Tab" : "Enter");
        return;
      }
      clearTimeout(idle);
      idle = setTimeout(() => finish(""), IDLE_MS);
    });
    input.addEventListener("compositionstart", () => { sawIme = true; set("test-ime", say("tImeOn"), false); });
  });
})();
