// Station kiosk behaviour. Every scan gets an idempotency key and the time it was made, goes into an
// outbox kept in localStorage and is sent in order, one at a time. When the server cannot be reached
// the scans wait there (amber answer, a count in the header), new scans join the back of the queue,
// and all are delivered in order once /api/health answers again; the server records each key once,
// so a scan sent twice is still counted once. Also: keep the scan field focused, remember the
// signed-in worker, beep by outcome. See docs/offline.md.
(function () {
  "use strict";
  const SIGN_IN_HOURS = 12;
  const SEND_TIMEOUT_MS = 10000;  // a scan answers in well under a second; longer means the network is gone
  const PROBE_EVERY_MS = 3000;  // while offline, ask /api/health this often
  const RETRY_FAILED_MS = 2000;  // the server answered with an error page: try the same key again after this
  const MAX_FAILED_TRIES = 3;  // ... and after this many, show the scan red as not recorded
  const RETRY_STATUSES = [408, 409, 425, 429];  // "not now": tried again like a server error, not final
  const KEEP_SENT = 50;  // lines kept in the "sent after the connection came back" list
  const AWAY_STATUSES = [502, 503, 504];  // a proxy saying the server is away: same as no connection

  const station = () => document.getElementById("station");
  const scanInput = () => document.getElementById("scan-input");
  const storageKey = (what) => "kiosk." + what + "." + (station() ? station().dataset.station : "");

  let offline = false;  // the last send or probe could not reach the server
  let pumping = false;  // one delivery loop at a time
  let probeTimer = null;
  let sequence = 0;  // orders scans made in the same millisecond

  function newKey() {
    // crypto.randomUUID needs a secure context; plant kiosks often use plain http on the LAN.
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Words come from the page (data-t-* on #station, translated by the server), with {name} filled in.
  function words(name, params) {
    const text = (station() && station().dataset[name]) || name;
    return text.replace(/\{(\w+)\}/g, (whole, key) => (params && key in params ? String(params[key]) : whole));
  }

  // -- the signed-in worker ----------------------------------------------------------------------

  function storedBadge() {
    try {
      const saved = JSON.parse(localStorage.getItem("kiosk.worker." + station().dataset.station) || "null");
      if (saved && Date.now() - saved.at < SIGN_IN_HOURS * 3600 * 1000) return saved.badge;
    } catch (e) { /* corrupt entry: treat as signed out */ }
    return "";
  }

  function rememberBadge(badge) {
    const key = "kiosk.worker." + station().dataset.station;
    if (badge) localStorage.setItem(key, JSON.stringify({ badge: badge, at: Date.now() }));
    else localStorage.removeItem(key);
  }

  // -- sound and focus ---------------------------------------------------------------------------

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
      else if (outcome === "queued") { tone(440, 0, 0.2, "triangle"); tone(330, 0.25, 0.3, "triangle"); }
    } catch (e) { /* no audio device: the colour still tells */ }
    document.body.dataset.lastOutcome = outcome;
  }

  function keepFocus() {
    const input = scanInput();
    if (input && document.activeElement !== input) input.focus({ preventScroll: true });
  }

  // -- the outbox: scans not yet answered, oldest first, kept across reloads ---------------------

  function loadList(what) {
    try {
      const list = JSON.parse(localStorage.getItem(storageKey(what)) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) { return []; }
  }

  function saveList(what, list) {
    try {
      localStorage.setItem(storageKey(what), JSON.stringify(list));
      return true;
    } catch (e) { return false; }  // storage full or disabled
  }

  function updateOutbox(change) {
    const outbox = loadList("outbox");
    change(outbox);
    saveList("outbox", outbox);
    durable((store) => outbox.forEach((s) => store.put(s)));
    showCount();
    return outbox;
  }

  function dropFromOutbox(idem) {
    const outbox = loadList("outbox");
    const at = outbox.findIndex((s) => s.idem === idem);
    if (at >= 0) outbox.splice(at, 1);
    saveList("outbox", outbox);
    durable((store) => store.delete(idem));
    showCount();
  }

  // -- a durable copy of the outbox in IndexedDB ---------------------------------------------------
  // localStorage reaches the disk late (Chromium batches its writes: after 5 s at best, about once a
  // minute on a busy kiosk), so a kiosk losing power could forget scans queued just before. So every
  // outbox change is also written to IndexedDB with durability "strict" (on disk when the transaction
  // completes), and at start-up the two copies are merged by key. A scan that comes back from one copy
  // after it was delivered is only sent again: the server answers it from its log, recorded once.
  let idb = null;

  function openDurable() {
    return new Promise((resolve) => {
      let request;
      try { request = window.indexedDB.open("kiosk", 1); } catch (e) { resolve(null); return; }
      request.onupgradeneeded = () => request.result.createObjectStore("outbox", { keyPath: "idem" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    });
  }

  function durable(change) {
    if (!idb) return;
    try {
      change(idb.transaction("outbox", "readwrite", { durability: "strict" }).objectStore("outbox"));
    } catch (e) { /* the localStorage copy still holds it */ }
  }

  async function restoreOutbox() {
    idb = await openDurable();
    if (!idb) return;
    const saved = await new Promise((resolve) => {
      try {
        const request = idb.transaction("outbox").objectStore("outbox").getAll();
        request.onsuccess = () => resolve(request.result || []);
        request.onerror = () => resolve([]);
      } catch (e) { resolve([]); }
    });
    const outbox = loadList("outbox");
    const known = new Set(outbox.map((s) => s.idem));
    const missing = saved.filter((s) => s.station === station().dataset.station && !known.has(s.idem));
    if (missing.length) {
      outbox.push(...missing);
      outbox.sort((a, b) => (a.seq || 0) - (b.seq || 0));
      saveList("outbox", outbox);
    }
    durable((store) => outbox.forEach((s) => store.put(s)));
  }

  function showCount() {
    const badge = document.getElementById("queue-badge");
    if (!badge) return;
    const queued = loadList("outbox").filter((s) => s.queued).length;
    badge.dataset.count = String(queued);
    badge.textContent = words("tBadge", { n: queued });
    badge.hidden = queued === 0;
  }

  // A QC card scan only opens the verdict panel, which needs the card's facts from the server:
  // offline it is refused, not queued. A verdict (pass / fail pressed) is complete and is queued.
  function needsServerNow(scan) {
    return station().dataset.kind === "qc" && !scan.fields.verdict;
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!station() || !(form.id === "scan-form" || form.hasAttribute("data-qc-form"))) return;
    // Ours, not htmx's: htmx keeps only the last of several requests made while one is in flight.
    event.preventDefault();
    event.stopPropagation();
    const fields = {};
    new FormData(form, event.submitter || undefined).forEach((value, name) => {
      if (typeof value === "string") fields[name] = value;
    });
    let code = String(fields.code || "").trim();
    if (form.id === "scan-form") {
      scanInput().value = "";  // ready for the next scan at once
      if (code && fillArmed(code)) return;
      const read = readScan(code);
      if (read.refused) { showAnswer("rejected", read.refused, code, { keepPanel: true }); return; }
      code = read.code;
      if (code && runCommand(code)) return;
    }
    if (!code) return;
    // The page's CSRF token is sent fresh with each request (requestHeaders), never kept in the outbox.
    ["code", "idem", "worker_badge", "scanned_at", "csrf_token"].forEach((name) => delete fields[name]);
    const made = Date.now();
    const scan = {
      idem: newKey(), station: station().dataset.station, seq: made * 1000 + (sequence++ % 1000),
      code: code, worker_badge: storedBadge(), scanned_at: new Date(made).toISOString(),
      fields: fields, queued: offline, tries: 0,
    };
    if (offline && needsServerNow(scan)) {
      showAnswer("rejected", words("tQcOffline", { code: code }), code);
      return;
    }
    const outbox = loadList("outbox");
    outbox.push(scan);
    if (!saveList("outbox", outbox)) {
      showAnswer("rejected", words("tCannotKeep"), code);
      return;
    }
    durable((store) => store.put(scan));
    showCount();
    if (scan.queued) showQueued(scan.code);
    pump();
  }, true);

  function requestHeaders() {
    // What htmx would send: the page's hx-headers on <body> (and a CSRF token, where the page has one).
    const headers = { "HX-Request": "true" };
    try { Object.assign(headers, JSON.parse(document.body.getAttribute("hx-headers") || "{}")); } catch (e) { /* none */ }
    const token = document.querySelector('meta[name="csrf-token"]');
    if (token && token.content) headers["X-CSRF-Token"] = token.content;
    return headers;
  }

  async function send(scan) {
    const body = new URLSearchParams(Object.assign({}, scan.fields, {
      code: scan.code, idem: scan.idem, worker_badge: scan.worker_badge || "", scanned_at: scan.scanned_at,
      recent_after: recentTop(),
    }));
    const url = "/station/" + encodeURIComponent(station().dataset.station) + "/scan";
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        method: "POST", body: body, signal: controller.signal, cache: "no-store", credentials: "same-origin",
        headers: requestHeaders(),
      });
      const html = await response.text();
      if (AWAY_STATUSES.includes(response.status)) return { kind: "away" };
      // A refusal in words (4xx with the error fragment, e.g. this kiosk is no longer paired, a scan
      // time out of range): sending it again changes nothing, so the worker sees the server's reason now.
      if (response.status >= 400 && response.status < 500 && !RETRY_STATUSES.includes(response.status)) {
        const reason = refusalText(html);
        if (reason) return { kind: "refused", status: response.status, text: reason };
      }
      // Other errors (5xx: the server could not take it) are tried again a few times.
      if (!response.ok || response.headers.get("HX-Retarget")) return { kind: "failed", status: response.status };
      return { kind: "answered", html: html };
    } catch (e) {
      return { kind: "away" };  // refused, reset, timed out: the network or the server is down
    } finally {
      clearTimeout(timer);
    }
  }

  function refusalText(html) {
    const box = new DOMParser().parseFromString(html, "text/html").querySelector("#error-box");
    return box ? box.textContent.trim() : "";
  }

  // Send the outbox head first, one at a time, until it is empty or the server is away.
  async function pump() {
    if (pumping || offline) return;
    pumping = true;
    let sentQueued = 0;
    let rejectedQueued = 0;
    let lastFragment = null;
    let retryLater = false;
    try {
      for (;;) {
        const scan = loadList("outbox")[0];
        if (!scan) break;
        const reply = await send(scan);
        if (reply.kind === "away") {
          goOffline();
          break;
        }
        if (reply.kind === "refused") {
          dropFromOutbox(scan.idem);
          const text = words("tRefused", { code: scan.code, reason: reply.text });
          if (scan.queued || sentQueued) { addSent(scan, "rejected", text); sentQueued += 1; rejectedQueued += 1; }
          else showAnswer("rejected", text, scan.code);
          continue;
        }
        if (reply.kind === "failed") {
          scan.tries = (scan.tries || 0) + 1;
          if (scan.tries < MAX_FAILED_TRIES) {
            updateOutbox((outbox) => { if (outbox[0] && outbox[0].idem === scan.idem) outbox[0].tries = scan.tries; });
            retryLater = true;
            break;
          }
          dropFromOutbox(scan.idem);
          const text = words("tNotRecorded", { code: scan.code });
          if (scan.queued || sentQueued) { addSent(scan, "rejected", text); sentQueued += 1; rejectedQueued += 1; }
          else showAnswer("rejected", text, scan.code);
          continue;
        }
        const answer = readFragment(reply.html);
        dropFromOutbox(scan.idem);
        if (answer.signedIn) {
          // Scans made before this badge's answer came back were that worker's: send them as such.
          rememberBadge(answer.signedIn);
          updateOutbox((outbox) => outbox.forEach((s) => { s.worker_badge = answer.signedIn; }));
        }
        if (scan.queued || sentQueued) {
          // Delivered after an outage: list it (red ones stand out) and say so once at the end.
          if (answer.panel) placeWorkerPanel(answer.panel);
          const outcome = answer.decide ? "duplicate" : answer.outcome;
          addSent(scan, outcome, answer.decide ? words("tVerdictLater", { code: scan.code }) : answer.text);
          sentQueued += 1;
          if (outcome === "rejected") rejectedQueued += 1;
          lastFragment = answer.decide ? lastFragment : reply.html;
          showSending();
        } else {
          const listed = recentRows();
          placeAnswer(answer.doc);
          mergeRecent(listed);
          if (document.querySelector("#scan-result[data-queue-stale]")) queueStale();
          if (scan.fields.defect_action && answer.outcome !== "rejected") clearDefectPanel();
        }
      }
    } finally {
      pumping = false;
    }
    if (queueWanted && !queueTimer) queueStale();  // a queue fetch waited for these scans
    if (sentQueued && !loadList("outbox").length) deliveredAll(sentQueued, rejectedQueued, lastFragment);
    if (retryLater) setTimeout(pump, RETRY_FAILED_MS);
    else if (!offline && loadList("outbox").length) pump();  // a scan made during the last send
  }

  function readFragment(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const answer = doc.querySelector("#scan-result .answer");
    const panel = doc.querySelector("#worker-panel[hx-swap-oob]");
    const text = answer ? (answer.querySelector(".answer-text") || answer).textContent.trim() : "";
    return {
      doc: doc,
      outcome: answer ? answer.dataset.outcome : "rejected",
      text: text,
      decide: !!doc.querySelector(".qc-form"),
      panel: panel,
      signedIn: panel && panel.dataset.badge ? panel.dataset.badge : "",
    };
  }

  // The answer takes the place of #scan-result, and its out-of-band parts (the worker panel, the printers
  // line) of theirs, by hand from the fragment readFragment parsed: htmx's swap would parse it again, clean
  // up every element of the old answer and fire a dozen events for each part, which was most of the
  // browser's time for a scan. What htmx:afterSwap does for an answer (kiosk.js below) is done here.
  function placeAnswer(doc) {
    doc.querySelectorAll("[hx-swap-oob]").forEach((part) => {
      const current = part.id ? document.getElementById(part.id) : null;
      part.remove();
      if (current) putInPlace(current, document.adoptNode(part));  // moved from the parsed fragment, not copied
    });
    const answer = doc.getElementById("scan-result");
    const current = document.getElementById("scan-result");
    if (!answer || !current) return;
    putInPlace(current, document.adoptNode(answer));
    answerShown();
  }

  function placeWorkerPanel(panel) {
    const current = document.getElementById("worker-panel");
    if (current) putInPlace(current, document.importNode(panel, true));
  }

  // A part of an answer in the place of the page's own (an out-of-band part loses its marker: it is home).
  function putInPlace(current, fresh) {
    fresh.removeAttribute("hx-swap-oob");
    current.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  // A new answer is on the page (placed by hand, or by htmx): its sound, the badge it signed in, the focus.
  function answerShown() {
    const answer = document.querySelector("#scan-result .answer");
    if (answer) beep(answer.dataset.outcome);
    const panel = document.getElementById("worker-panel");
    if (panel && panel.dataset.badge) rememberBadge(panel.dataset.badge);
    keepFocus();  // never a button: the next scan's Enter would press it
  }

  function goOffline() {
    offline = true;
    let refused = null;
    updateOutbox((outbox) => {
      for (let i = outbox.length - 1; i >= 0; i--) {
        if (!outbox[i].queued && needsServerNow(outbox[i])) { refused = refused || outbox[i]; outbox.splice(i, 1); }
        else outbox[i].queued = true;
      }
    });
    const outbox = loadList("outbox");
    if (outbox.length) showQueued(outbox[outbox.length - 1].code);
    else if (refused) showAnswer("rejected", words("tQcOffline", { code: refused.code }), refused.code);
    scheduleProbe(PROBE_EVERY_MS);
  }

  function scheduleProbe(delay) {
    clearTimeout(probeTimer);
    probeTimer = setTimeout(probe, delay);
  }

  async function probe() {
    probeTimer = null;
    let up = false;
    try {
      const response = await fetch("/api/health", { cache: "no-store", signal: AbortSignal.timeout(3000) });
      up = response.ok;
    } catch (e) { up = false; }
    if (!up) { scheduleProbe(PROBE_EVERY_MS); return; }
    offline = false;
    if (loadList("outbox").length) { showSending(); pump(); }
  }

  // The station's queue (templates/stations/_queue.html) is not in a scan's answer: once the scans pause
  // (data-refresh-delay after the last answer that moved a card, and no scan on its way) the event makes
  // htmx fetch it again, so the fetch never holds up the next scan's answer.
  let queueTimer = null;
  let queueWanted = false;
  function queueStale() {
    if (!document.getElementById("station-queue")) return;
    queueWanted = true;
    clearTimeout(queueTimer);
    const box = document.getElementById("station-queue");
    queueTimer = setTimeout(fetchQueue, Number(box.dataset.refreshDelay) || 300);
  }

  function fetchQueue() {
    queueTimer = null;
    if (pumping || loadList("outbox").length) return;  // asked again when the sending is done
    queueWanted = false;
    document.body.dispatchEvent(new CustomEvent("kiosk:queue-stale", { bubbles: true }));
  }

  // The send back / scrap panel (templates/stations/_defect_panel.html) is on the page, not in the answers:
  // once what it sent was recorded, it is closed and empty for the next card (a refusal keeps what was set).
  function clearDefectPanel() {
    const panel = document.getElementById("defect-panel");
    const form = panel && panel.querySelector("form");
    if (!form) return;
    if (armed && form.contains(armed)) disarm();
    form.reset();
    form.querySelectorAll("[data-stepper]").forEach((box) => { box.dataset.typed = ""; setStepper(box, box.dataset.min || 1); });
    panel.open = false;
  }

  // -- the "last scans here" list: an answer brings only the rows newer than this list's top -------

  function recentTop() {
    const top = document.querySelector("#recent-scans > li[data-event]");
    return top ? top.dataset.event : "0";
  }

  function recentRows() {
    return Array.from(document.querySelectorAll("#recent-scans > li[data-event]"));
  }

  // After an answer with `data-since` replaced the list, put the rows it had back under the new ones.
  function mergeRecent(listed) {
    const list = document.getElementById("recent-scans");
    if (!list || !list.hasAttribute("data-since")) return;
    const limit = Number(list.dataset.limit) || 8;
    const shown = new Set(recentRows().map((row) => row.dataset.event));
    if (listed.length) list.querySelectorAll("li:not([data-event])").forEach((row) => row.remove());
    for (const row of listed) {
      if (list.children.length >= limit) break;
      if (!shown.has(row.dataset.event)) list.appendChild(row);
    }
  }

  // -- what the worker sees ----------------------------------------------------------------------

  const ICONS = { ok: "✓", warning: "!", duplicate: "=", rejected: "✕", queued: "…" };

  // options.keepPanel: an answer about the panel on screen (a command, a waiting card) leaves it there.
  function showAnswer(outcome, text, code, options) {
    options = options || {};
    const result = document.getElementById("scan-result");
    if (!result) return;
    if (!options.keepPanel) result.querySelectorAll(".qc-form").forEach((form) => form.remove());
    const answer = document.createElement("div");
    answer.className = "answer " + outcome;
    answer.dataset.outcome = outcome;
    answer.setAttribute("role", outcome === "ok" || outcome === "queued" ? "status" : "alert");
    const parts = [["answer-icon", ICONS[outcome] || ""], ["answer-text", text], ["answer-code", code || ""]];
    for (const [name, content] of parts) {
      const part = document.createElement("div");
      part.className = name;
      part.textContent = content;
      answer.appendChild(part);
    }
    const old = result.querySelector(".answer");
    if (old) old.replaceWith(answer); else result.prepend(answer);
    if (!options.quiet) beep(outcome);
    keepFocus();
  }

  function showQueued(code) {
    const waiting = loadList("outbox").filter((s) => s.queued).length;
    showAnswer("queued", words("tQueued", { code: code, n: waiting }), code);
  }

  function showSending() {
    const waiting = loadList("outbox").length;
    if (!waiting) return;
    const answer = document.querySelector("#scan-result .answer");
    if (answer && answer.dataset.outcome === "queued") {
      answer.querySelector(".answer-text").textContent = words("tSending", { n: waiting });
    }
  }

  function deliveredAll(sent, rejected, fragment) {
    if (fragment) {
      // The last answer's page part brings the up-to-date "last scans here" list.
      const fresh = new DOMParser().parseFromString(fragment, "text/html").getElementById("scan-result");
      const current = document.getElementById("scan-result");
      if (fresh && current && fresh.querySelector("#recent-scans")) {
        const listed = recentRows();
        current.replaceWith(document.importNode(fresh, true));
        mergeRecent(listed);
      }
    }
    queueStale();  // what was sent moved cards
    if (rejected) showAnswer("rejected", words("tSomeRejected", { n: sent, bad: rejected }), "");
    else showAnswer("ok", words("tAllSent", { n: sent }), "");
  }

  // The scans delivered after an outage, newest first, until the worker clears the list.
  function addSent(scan, outcome, text) {
    const sent = loadList("sent");
    sent.unshift({ code: scan.code, scanned_at: scan.scanned_at, outcome: outcome, text: text });
    saveList("sent", sent.slice(0, KEEP_SENT));
    showSent();
  }

  function showSent() {
    const section = document.getElementById("offline-sent");
    const list = document.getElementById("sent-scans");
    if (!section || !list) return;
    const sent = loadList("sent");
    list.replaceChildren(...sent.map((item) => {
      const line = document.createElement("li");
      line.className = item.outcome;
      line.dataset.outcome = item.outcome;
      const at = new Date(item.scanned_at);
      const day = isNaN(at) ? "" : String(at.getMonth() + 1).padStart(2, "0") + "-" + String(at.getDate()).padStart(2, "0") + " ";
      const parts = [["time", isNaN(at) ? "" : day + at.toLocaleTimeString([], { hour12: false })],
                     ["code", item.code], ["msg", item.text]];
      for (const [name, content] of parts) {
        const part = document.createElement("span");
        part.className = name;
        part.textContent = content;
        line.appendChild(part);
      }
      return line;
    }));
    section.hidden = sent.length === 0;
  }

  // -- what a scan reads as (hardening: see readScan below) and commands (runCommand) ----------------
  // A scan is read as the plant's codes are printed: full-width (全角) ASCII and the punctuation a Chinese
  // input method makes of ASCII keys folded back, spaces around it trimmed, upper case (every code the plant
  // prints is upper case; GS1 data with a group separator and digits-only codes are kept as sent), and two
  // codes in one burst refused rather than guessed at. GS (\x1d) inside a code is kept.
  const GS = "\x1d";
  const IME_PUNCTUATION = { "。": ".", "、": "/", "￥": "$", "—": "_", "…": "^", "【": "[", "】": "]", "《": "<",
                            "》": ">", "“": '"', "”": '"', "‘": "'", "’": "'", "·": "`", "「": "[", "」": "]" };
  const GLUED = /^(?:J[CR]\d{7}|C\d{8}|PL\d{6}|DN\d{6}){2,}$/;

  function foldWidth(text) {
    return Array.from(String(text || ""), (ch) => {
      const point = ch.codePointAt(0);
      if (point >= 0xFF01 && point <= 0xFF5E) return String.fromCharCode(point - 0xFEE0);
      if (point === 0x3000) return " ";
      return IME_PUNCTUATION[ch] || ch;
    }).join("");
  }

  function readScan(raw) {
    let code = foldWidth(raw).replace(/^[\s\u0000-\u001c\u001e\u001f]+|[\s\u0000-\u001f]+$/g, "");
    if (!code) return { code: "" };  // an empty scan or a second Enter: nothing to do
    const parts = code.split(/\s+/).filter(Boolean);
    if (parts.length > 1 || GLUED.test(code.toUpperCase())) {
      return { refused: words("tTwoCodes", { codes: parts.join(" · ") }) };
    }
    if (!code.includes(GS) && !code.startsWith("]")) code = code.toUpperCase();
    return { code: code };
  }

  // The scanner self-test page (templates/stations/scanner_test.html) reads codes by the same rules.
  window.kioskScanner = { readScan: (raw) => readScan(raw), fromKeys: (keys) => fromKeys(keys), foldWidth: foldWidth };

  // -- an input method composing: read the scanner's physical keys (KeyboardEvent.code) instead ----
  // With a Chinese IME on, keydown says key "Process" (keyCode 229) and the field gets pinyin or
  // characters; keydown's `code` still names each physical key, and the Shift state tells the case.
  const composing = { active: false, seen: false, keys: [], justRead: 0 };
  const SHIFTED_DIGITS = ")!@#$%^&*(";
  const PUNCTUATION_KEYS = { Minus: "-_", Equal: "=+", BracketLeft: "[{", BracketRight: "]}", Backslash: "\\|",
                             Semicolon: ";:", Quote: "'\"", Comma: ",<", Period: ".>", Slash: "/?", Backquote: "`~",
                             Space: "  ", NumpadAdd: "++", NumpadSubtract: "--", NumpadMultiply: "**",
                             NumpadDivide: "//", NumpadDecimal: ".." };
  const MODIFIERS = /^(Shift|Control|Alt|Meta|CapsLock|NumLock)/;

  // The text the physical keys spell, or null when one of them is not a character key.
  function fromKeys(keys) {
    let text = "";
    for (const key of keys) {
      let match;
      if (MODIFIERS.test(key.code)) continue;
      if (key.code === "Backspace") { text = text.slice(0, -1); continue; }
      if (key.ctrl && key.code === "BracketRight") { text += GS; continue; }
      if ((match = /^Key([A-Z])$/.exec(key.code))) text += key.shift ? match[1] : match[1].toLowerCase();
      else if ((match = /^Digit([0-9])$/.exec(key.code))) text += key.shift ? SHIFTED_DIGITS[Number(match[1])] : match[1];
      else if ((match = /^Numpad([0-9])$/.exec(key.code))) text += match[1];
      else if (PUNCTUATION_KEYS[key.code]) text += PUNCTUATION_KEYS[key.code][key.shift ? 1 : 0];
      else return null;
    }
    return text;
  }

  function imeKeydown(event) {
    const byIme = event.isComposing || event.keyCode === 229 || event.key === "Process";
    if (byIme) composing.seen = true;
    if (!isSuffix(event)) composing.keys.push({ code: event.code, shift: event.shiftKey, ctrl: event.ctrlKey });
  }

  // The suffix arrived: when an IME was involved, the code is read from the keys, and the IME's own text
  // (committed at compositionend, perhaps after this) is thrown away.
  function suffixArrived() {
    const keys = composing.keys;
    composing.keys = [];
    if (!composing.seen) { submitScan(); return; }
    composing.seen = false;
    const input = scanInput();
    const text = fromKeys(keys);
    composing.justRead = Date.now();
    showImeWarning(true);
    setTimeout(() => {
      input.value = "";
      if (text) { input.value = text; submitScan(); }
      else showAnswer("rejected", words("tImeOff"), "", { keepPanel: true });
    }, 0);
  }

  function showImeWarning(on) {
    const warning = document.getElementById("ime-warning");
    if (warning) warning.hidden = !on;
  }

  document.addEventListener("compositionstart", (event) => {
    if (!isScanField(event.target)) return;
    composing.active = true;
    composing.seen = true;
  }, true);
  document.addEventListener("compositionend", (event) => {
    if (!isScanField(event.target)) return;
    composing.active = false;
    // What the IME commits after the code was read from the keys is not a scan: clear it.
    if (Date.now() - composing.justRead < 1000) setTimeout(() => { event.target.value = ""; }, 0);
  }, true);
  // A command code the page can press (data-commands, from kiosk/core/commands.py) is pressed here, like a
  // tap, and answered in words; any other command code goes to the server like a scan, which answers it.
  function commandPrefix() { return (station() && station().dataset.commandPrefix) || "#"; }

  function commandMap() {
    try { return JSON.parse(station().dataset.commands || "{}"); } catch (e) { return {}; }
  }

  function chosenText(form, name) {
    const chosen = form.querySelector("input[name=" + name + "]:checked");
    const label = chosen && chosen.closest("label");
    return label ? label.textContent.trim() : "-";
  }

  function runCommand(code) {
    const prefix = commandPrefix();
    if (!code.startsWith(prefix)) return false;
    const name = prefix + code.slice(prefix.length).trim().toUpperCase();
    const command = commandMap()[name];
    if (!command) {
      if (offline) { showAnswer("rejected", words("tCommandOffline", { code: name }), name, { keepPanel: true }); return true; }
      return false;  // the server answers it
    }
    const target = document.querySelector(command.tap);
    if (!target || target.disabled) {
      showAnswer("rejected", words("tCommandNotNow", { command: command.label, needs: command.needs }), name, { keepPanel: true });
      return true;
    }
    target.click();  // exactly what a finger does
    if (target.type === "submit" || !target.isConnected) return true;  // its own answer follows, or was shown
    const form = target.closest(".qc-form");
    const text = form
      ? words("tQcChoice", { command: command.label, units: form.querySelector("input[name=failed_units]").value,
                             defect: chosenText(form, "defect"), station: chosenText(form, "rework_station") })
      : words("tCommandDone", { command: command.label });
    showAnswer("ok", text, name, { keepPanel: true });
    return true;
  }

  // -- the scan field owns the keyboard -----------------------------------------------------------
  // A keyboard-wedge scanner types code + suffix into whatever has focus, and a focused button answers
  // Enter. So on a station page nothing but the scan field ever holds focus: nothing else is in the tab
  // order, a tap acts without moving focus, and a key that reaches anything else is typed into the scan
  // field instead (its Enter or Space presses nothing). One place for every station page.
  const CONTROLS = "a[href], button, input, select, textarea, summary, label, video, [tabindex], [contenteditable]";
  const onStation = () => !!(station() && scanInput());
  const isScanField = (el) => !!el && el === scanInput();
  const isTextField = (el) => el && (el.tagName === "TEXTAREA" ||
    (el.tagName === "INPUT" && ["text", "search", "number", "tel", ""].includes((el.getAttribute("type") || "").toLowerCase())));
  let armed = null;  // a text field (a supervisor's badge, a reason) that takes the next scan or typed line

  function outOfTabOrder(root) {
    if (!root || root.nodeType !== 1) return;
    const found = root.matches(CONTROLS) ? [root] : [];
    found.push(...root.querySelectorAll(CONTROLS));
    for (const el of found) if (!isScanField(el) && el.getAttribute("tabindex") !== "-1") el.setAttribute("tabindex", "-1");
  }

  function scanSuffix() { return (station() && station().dataset.suffix) || "Enter"; }

  function submitScan() {
    const form = document.getElementById("scan-form");
    if (form) form.requestSubmit();
  }

  function arm(field) {
    if (armed) armed.classList.remove("armed");
    armed = field && field.isConnected ? field : null;
    if (!armed) return;
    armed.classList.add("armed");
    const label = armed.closest("label");
    const name = label ? label.textContent.replace(armed.value, "").trim() : armed.name;
    showAnswer("decide", words("tFillField", { field: name }), "", { keepPanel: true, quiet: true });
  }

  // Tapping anything else leaves the field with what was typed so far, and the scan field empty.
  function disarm() {
    if (!armed) return;
    armed.classList.remove("armed");
    armed = null;
    const input = scanInput();
    if (input) input.value = "";
  }

  // What is typed into the scan field shows in the armed field as it is typed (a reason typed on a keyboard).
  document.addEventListener("input", (event) => {
    if (!isScanField(event.target)) return;
    // An input method's text arriving just after the code was read from the keys is not a scan.
    if (Date.now() - composing.justRead < 300) { event.target.value = ""; return; }
    if (armed) armed.value = event.target.value;
  }, true);

  // Called by the scan form's submit: the line goes into an armed field instead of being a scan.
  function fillArmed(code) {
    if (!armed || !armed.isConnected) { armed = null; return false; }
    armed.value = code;
    armed.classList.remove("armed");
    armed.dispatchEvent(new Event("change", { bubbles: true }));
    armed = null;
    showAnswer("ok", words("tFieldFilled", { value: code }), "", { keepPanel: true });
    return true;
  }

  function holdFocus(event) {
    if (!onStation() || isScanField(event.target)) return;
    if (!(event.target instanceof Element)) return;
    const field = event.target.closest("input, textarea");
    if (field && isTextField(field)) arm(field);
    else if (armed && event.type === "pointerdown") disarm();
    event.preventDefault();  // the tap still clicks; focus stays in the scan field
    keepFocus();
  }
  document.addEventListener("pointerdown", holdFocus, true);
  document.addEventListener("mousedown", holdFocus, true);
  document.addEventListener("touchend", () => { if (onStation()) setTimeout(keepFocus, 0); }, true);
  document.addEventListener("click", () => { if (onStation()) keepFocus(); }, true);
  document.addEventListener("focusin", (event) => {
    if (onStation() && !isScanField(event.target)) keepFocus();
  }, true);

  // By the physical key too: during a composition keydown's key is "Process".
  function isSuffix(event) {
    const enter = event.key === "Enter" || event.code === "Enter" || event.code === "NumpadEnter";
    const tab = event.key === "Tab" || event.code === "Tab";
    return enter || (tab && scanSuffix() === "Tab");
  }

  document.addEventListener("keydown", (event) => {
    if (!onStation()) return;
    const input = scanInput();
    if (isScanField(event.target)) {
      if (event.key === "Tab" || event.code === "Tab") event.preventDefault();  // never leaves the scan field
      if (event.ctrlKey && event.code === "BracketRight") {  // a scanner's GS1 group separator (Ctrl+])
        event.preventDefault();
        input.value += GS;
      }
      imeKeydown(event);
      if (isSuffix(event)) {
        event.preventDefault();
        suffixArrived();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;  // browser shortcuts
    const printable = event.key.length === 1;
    if (!printable && !["Enter", "Tab", "Backspace"].includes(event.key)) return;
    // Focus slipped (a reload, a swap): the key goes to the scan field; whatever it reached presses nothing.
    event.preventDefault();
    event.stopPropagation();
    keepFocus();
    if (isSuffix(event)) { composing.keys = []; submitScan(); }
    else if (event.key === "Backspace") input.value = input.value.slice(0, -1);
    else if (printable) input.value += event.key;
  }, true);
  document.addEventListener("keyup", (event) => {
    if (onStation() && !isScanField(event.target) && (event.key === " " || event.key === "Enter")) {
      event.preventDefault();  // a button activates on Space's keyup
      event.stopPropagation();
    }
  }, true);
  document.addEventListener("keypress", (event) => {
    if (onStation() && !isScanField(event.target)) { event.preventDefault(); event.stopPropagation(); }
  }, true);

  // -- steppers and the touch keypad: numbers with no keyboard and no focus ------------------------
  function setStepper(box, value) {
    const min = Number(box.dataset.min || 0);
    const max = Number(box.dataset.max || 9999);
    const number = Math.min(max, Math.max(min, Math.round(Number(value)) || min));
    const field = box.querySelector("input[type=hidden]");
    if (field) field.value = String(number);
    const shown = box.querySelector("[data-stepper-value]");
    if (shown) shown.textContent = String(number);
    return number;
  }

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    const control = event.target.closest("[data-step], [data-key]");
    const box = control && control.closest("[data-stepper]");
    if (!box) return;
    const field = box.querySelector("input[type=hidden]");
    const current = Number(field ? field.value : 0);
    if (control.dataset.step) {
      box.dataset.typed = "";
      setStepper(box, current + Number(control.dataset.step));
    } else if (control.dataset.key === "clear") {
      box.dataset.typed = "";
      setStepper(box, box.dataset.min || 0);
    } else {
      const typed = (box.dataset.typed || "") + control.dataset.key;
      box.dataset.typed = setStepper(box, typed) === Number(typed) ? typed : "";
    }
  });

  // QC's Cancel: the waiting card is put back, nothing recorded (the panel goes with the answer).
  document.addEventListener("click", (event) => {
    const cancel = event.target instanceof Element && event.target.closest("[data-qc-cancel]");
    if (!cancel) return;
    const form = cancel.closest(".qc-form");
    const card = form ? form.dataset.card : "";
    showAnswer("warning", words("tQcCancelled", { card: card }), card);
  });

  const tabWatcher = new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach(outOfTabOrder);
  });
  document.addEventListener("DOMContentLoaded", () => {
    if (!station()) return;
    outOfTabOrder(document.body);
    tabWatcher.observe(document.body, { childList: true, subtree: true });
  });

  // -- htmx round trips that are not scans (signing out, the worker panel after a reload) ---------

  document.addEventListener("htmx:afterSwap", function (event) {
    if (isQuietSwap(event.detail.target)) { keepFocus(); return; }  // no beep: the scan answer did not change
    answerShown();
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

  function signOutOffline(event) {
    // The server keeps no sign-in state: signing out works without it.
    const config = event.detail.requestConfig;
    if (!config || !config.path || !config.path.endsWith("/sign-out")) return;
    rememberBadge("");
    const panel = document.getElementById("worker-panel");
    if (!panel) return;
    panel.dataset.badge = "";
    const note = document.createElement("span");
    note.className = "worker-name warn";
    note.textContent = words("tSignedOut");
    panel.replaceChildren(note);
  }
  document.addEventListener("htmx:sendError", signOutOffline);
  document.addEventListener("htmx:timeout", signOutOffline);
  document.addEventListener("htmx:responseError", function (event) {
    if (AWAY_STATUSES.includes(event.detail.xhr.status)) signOutOffline(event);
  });

  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "sent-clear") {
      saveList("sent", []);
      showSent();
    }
  });

  // -- andon buttons (templates/andon/_kiosk_panel.html) ------------------------------------------
  // Taps keep the focus in the scan field like every control here (holdFocus); a call or a step is made
  // by the signed-in worker, whose badge goes with the request.
  function isAndonPanel(element) { return !!(element && element.id === "andon-panel"); }
  // Panels that refresh themselves (the andon buttons, the station's queue) are no scan's answer.
  function isQuietSwap(element) { return isAndonPanel(element) || !!(element && element.id === "station-queue"); }
  document.addEventListener("htmx:configRequest", function (event) {
    const element = event.detail.elt;
    if (station() && element && element.closest && element.closest("[data-andon]")) {
      event.detail.parameters.worker_badge = storedBadge();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!station()) return;
    const badge = storedBadge();
    if (badge && window.htmx) {
      htmx.ajax("GET", "/station/" + encodeURIComponent(station().dataset.station) + "/worker?badge=" + encodeURIComponent(badge),
                { target: "#worker-panel", swap: "outerHTML" });
    }
    showSent();
    // Scans left from before the reload (or a browser restart) are queued ones: say so, then send.
    restoreOutbox().then(() => {
      const left = updateOutbox((outbox) => outbox.forEach((s) => { s.queued = true; }));
      if (left.length) { showQueued(left[left.length - 1].code); pump(); }
    });
    window.addEventListener("online", () => { if (offline) scheduleProbe(0); });
    window.addEventListener("storage", (event) => {
      if (event.key === storageKey("outbox")) showCount();
      if (event.key === storageKey("sent")) showSent();
    });
    keepFocus();
    setInterval(keepFocus, 1500);
  });
})();
