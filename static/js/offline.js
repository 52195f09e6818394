/* The installable app on the page side (SIM TPBIS, issue 15): offline entry, the waiting list, sending.
 *
 * Loaded by offline-boot.js only where it is needed (entry forms, the offline page, a non-empty queue).
 *
 * Progressive enhancement: with a connection the entry forms post as they always did (only the photos are
 * shrunk first). Without one, "Kirim laporan" keeps the entry in the on-device queue (offline-queue.js),
 * which is sent when the connection returns. The words shown come from the page's #offline-config block.
 */
(function () {
  "use strict";

  const block = document.getElementById("offline-config");
  if (!block || !window.indexedDB || !window.tpbisQueue) {
    return;
  }
  const config = JSON.parse(block.textContent);
  const t = config.t;
  const queue = window.tpbisQueue;
  const form = config.form ? document.querySelector("form.entry-form") : null;
  const MAX_SIDE = 1600;
  const QUALITY = 0.8;
  let user = config.user;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (key === "text") {
        node.textContent = value;
      } else {
        node.setAttribute(key, value);
      }
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function csrfCookie() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* --- sending (the service worker and the kept pages are offline-boot.js's) ------------------------ */

  async function askForSync() {
    try {
      const registration = await navigator.serviceWorker.ready;
      if (registration.sync) {
        await registration.sync.register(queue.SYNC_TAG);
      }
    } catch (error) {
      // No Background Sync: the online event and the next opening send instead.
    }
  }

  async function sendNow() {
    if (navigator.onLine) {
      await queue.sendAll();
      await render();
    }
  }

  /* --- photos: shrunk on the phone ---------------------------------------------------------------- */

  // Longest side 1600 px, JPEG 0.8, turned as the camera meant; redrawing drops EXIF and GPS.
  async function shrink(file) {
    if (!file.type.startsWith("image/")) {
      return file;
    }
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (error) {
      return file; // a format the browser cannot draw (HEIC): the server converts it
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = el("canvas", {
      width: String(Math.round(bitmap.width * scale)),
      height: String(Math.round(bitmap.height * scale)),
    });
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
    return blob ? new File([blob], name, { type: "image/jpeg" }) : file;
  }

  // Chosen photos are replaced by their shrunk copies at once, so an online submit sends them small too.
  let shrinking = null;
  function shrinkChosen(input) {
    const files = Array.from(input.files || []);
    if (!files.length || input.dataset.shrunk === "1") {
      return;
    }
    input.dataset.small = "";
    shrinking = Promise.all(files.map(shrink)).then((small) => {
      const transfer = new DataTransfer();
      small.forEach((file) => transfer.items.add(file));
      input.dataset.shrunk = "1"; // the change event below is ours
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.dataset.shrunk = "";
      input.dataset.small = "1"; // what the input holds now needs no second shrinking
      shrinking = null;
    });
  }

  /* --- reading and filling the entry form --------------------------------------------------------- */

  const NOT_FIELDS = new Set(["csrfmiddlewaretoken", "client_id", "perpustakaan", "seen", "draft", "photos", "staged_photos", "unstage"]);

  function formFields() {
    const data = new FormData(form);
    const fields = {};
    for (const name of new Set(data.keys())) {
      if (NOT_FIELDS.has(name)) {
        continue;
      }
      const values = data.getAll(name).filter((v) => typeof v === "string");
      if (config.form.multi.includes(name)) {
        fields[name] = values;
      } else if (values[0] !== "") {
        fields[name] = form.elements[name].type === "checkbox" ? true : values[0];
      }
    }
    return fields;
  }

  function fillForm(fields) {
    Array.from(form.elements).forEach((input) => {
      if (!input.name || NOT_FIELDS.has(input.name) || input.type === "submit" || input.type === "file") {
        return;
      }
      const value = fields[input.name];
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = Array.isArray(value) ? value.includes(input.value) : value === true || value === input.value;
      } else if (input.multiple) {
        Array.from(input.options).forEach((o) => (o.selected = (value || []).includes(o.value)));
      } else {
        input.value = value === undefined || value === null ? "" : value;
      }
    });
  }

  // The server's messages beside their fields (and those of no field at the top of the form).
  function showErrors(entry) {
    form.querySelectorAll(".offline-error").forEach((node) => node.remove());
    Object.entries(entry.errors || {}).forEach(([name, messages]) => {
      const input = form.elements[name] && (form.elements[name].length ? form.elements[name][0] : form.elements[name]);
      const box = input && input.closest ? input.closest(".field") : null;
      const list = el("ul", { class: "errorlist offline-error", role: "alert" }, messages.map((m) => el("li", { text: m })));
      if (box) {
        box.appendChild(list);
      } else {
        form.prepend(list);
      }
    });
    if (entry.message && !Object.keys(entry.errors || {}).length) {
      form.prepend(el("ul", { class: "errorlist offline-error", role: "alert" }, [el("li", { text: entry.message })]));
    }
  }

  // The form's own words for its fields, kept with the entry for the conflict screen (shown on any page).
  function labelsOf(fields) {
    const labels = {};
    Object.keys(fields).forEach((name) => {
      const input = form.elements[name];
      const node = input && input.length && !input.tagName ? input[0] : input;
      const box = node && node.closest ? node.closest(".field") : null;
      const label = box ? box.querySelector("label, legend") : null;
      labels[name] = label && label.firstChild ? label.firstChild.textContent.trim() : name;
    });
    return labels;
  }

  function titleOf(fields) {
    if (fields.title) {
      return fields.title;
    }
    if (fields.month && fields.year) {
      return fields.month + "/" + fields.year;
    }
    return t.untitled;
  }

  function flash(text) {
    const main = document.getElementById("main");
    const note = el("div", { class: "messages", role: "status" }, [el("p", { class: "msg msg-success", text: text })]);
    main.querySelectorAll(".offline-flash").forEach((node) => node.remove());
    note.classList.add("offline-flash");
    main.prepend(note);
  }

  // "Kirim laporan" without a connection (or any submit of an entry opened from the queue): into the queue.
  async function queueSubmit(event) {
    const editingId = queuedIdInAddress();
    if (navigator.onLine && !editingId) {
      if (shrinking) {
        event.preventDefault(); // wait for the small photos, then submit as usual
        const submitter = event.submitter;
        await shrinking;
        form.requestSubmit(submitter);
      }
      return;
    }
    event.preventDefault();
    if (shrinking) {
      await shrinking;
    }
    const previous = editingId ? await queue.get(editingId) : null;
    const input = form.elements.photos;
    const chosen = input && input.files ? Array.from(input.files) : [];
    const fields = formFields();
    // Photos the server kept when this form came back with an error go with a new entry, besides those chosen
    // now; a waiting entry keeps its own, unless new photos are chosen to replace them.
    const staged = editingId
      ? chosen.length ? [] : (previous && previous.staged) || []
      : queue.keptPhotoIds(new FormData(form));
    const entry = Object.assign(previous || {}, {
      id: previous ? previous.id : crypto.randomUUID(),
      user: user,
      type: config.form.type,
      label: config.form.label,
      library: config.form.library,
      libraryName: config.form.libraryName,
      recordId: config.form.record,
      version: previous && previous.version ? previous.version : config.form.version,
      url: location.pathname + location.search,
      fields: fields,
      title: titleOf(fields),
      labels: labelsOf(fields),
      photos: chosen.length
        ? input.dataset.small === "1" ? chosen : await Promise.all(chosen.map(shrink))
        : (previous && previous.photos) || [],
      staged: staged,
      submit: !(event.submitter && event.submitter.name === "draft"),
      confirmDuplicate: Boolean(fields.confirm_duplicate),
      status: "waiting",
      message: "",
      errors: {},
      current: null,
      sendingUntil: 0,
      createdAt: previous ? previous.createdAt : Date.now(),
    });
    await queue.put(entry);
    await askForSync();
    form.reset();
    form.querySelectorAll(".offline-error, .offline-photos, .offline-editing").forEach((node) => node.remove());
    if (editingId) {
      history.replaceState(null, "", location.pathname + location.search);
    } else {
      // The kept photos now belong to the waiting entry: the next entry on this form must not name them too.
      form.querySelectorAll("#staged-photos").forEach((node) => node.remove());
    }
    flash(queuedText(entry.submit));
    window.scrollTo(0, 0);
    await render();
    sendNow();
  }

  // What the page says of an entry it queued: a draft saved, a correction, or a report (a draft sent too).
  function queuedText(submit) {
    if (!submit) {
      return t.queuedDraft;
    }
    return config.form.record && !config.form.draft ? t.queuedEdit : t.queued;
  }

  // A kept form opened on a later day proposes the phone's today, not the day it was kept (nor stops there).
  function today() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function dateOfToday() {
    const input = form.elements.date;
    const kept = config.form.today;
    const now = today();
    if (!input || input.type !== "date" || !kept || now <= kept) {
      return; // the page is today's (or the phone's clock is behind): as the server proposed
    }
    if (input.max === kept) {
      input.max = now; // the latest date allowed is today, wherever the form was kept
    }
    // Only a new entry's proposed date, never one the person typed (or the browser restored going back),
    // a correction's or a waiting entry's.
    if (!config.form.record && !queuedIdInAddress() && input.value === kept && input.defaultValue === kept) {
      input.value = now;
      input.defaultValue = now;
    }
  }

  // A kept monthly form (visitor report, information service) opened in a later month proposes the phone's
  // month and year, as the server would that month; never a month the person chose or a correction's.
  function monthOfToday() {
    const month = form.elements.month;
    const year = form.elements.year;
    const kept = config.form.today;
    const now = today();
    if (!month || !year || month.tagName !== "SELECT" || year.tagName !== "SELECT" || !kept) {
      return;
    }
    if (now.slice(0, 7) <= kept.slice(0, 7) || config.form.record || queuedIdInAddress()) {
      return;
    }
    const [keptYear, keptMonth] = kept.split("-").map(Number);
    const [nowYear, nowMonth] = now.split("-").map(Number);
    const proposed = (select, value) => {
      const chosen = select.options[select.selectedIndex];
      return chosen && Number(chosen.value) === value && chosen.defaultSelected;
    };
    if (!proposed(month, keptMonth) || !proposed(year, keptYear)) {
      return;
    }
    if (!Array.from(year.options).some((option) => option.value === String(nowYear))) {
      year.prepend(new Option(String(nowYear), String(nowYear))); // a new year the kept page did not know yet
    }
    [[month, nowMonth], [year, nowYear]].forEach(([select, value]) => {
      Array.from(select.options).forEach((option) => {
        option.defaultSelected = option.value === String(value); // form.reset() after queueing keeps it
      });
      select.value = String(value);
    });
  }

  // A kept copy of a new-entry form (served without signal, or where the worker leads back after queueing a
  // cut-off post) carries the client id the server gave it once. When an entry of this phone already has
  // that id, the next entry needs its own: the worker would otherwise queue it over the waiting one, and the
  // server would take it for a resend of the one sent (or go on with that draft).
  async function freshClientId() {
    const input = form.elements.client_id;
    if (input && !config.form.record && (await queue.taken(input.value))) {
      input.value = crypto.randomUUID();
    }
  }

  function queuedIdInAddress() {
    const match = location.hash.match(/^#antrean=([0-9a-f-]{36})$/);
    return match ? match[1] : null;
  }

  // An entry opened from the waiting list: its values back in the form, with the server's messages.
  async function openQueued() {
    const id = queuedIdInAddress();
    const entry = id ? await queue.get(id) : null;
    if (!entry || !form) {
      return;
    }
    form.querySelectorAll(".offline-photos, .offline-editing").forEach((node) => node.remove());
    fillForm(entry.fields);
    showErrors(entry);
    const input = form.elements.photos;
    const waiting = (entry.photos || []).length + (entry.staged || []).length;
    if (input && waiting) {
      input.closest(".field").appendChild(el("p", { class: "help offline-photos", text: t.photosQueued.replace("{n}", waiting) }));
    }
    if (entry.code === "duplicate_suspected" && !form.elements.confirm_duplicate) {
      // The web form shows this box only after the server's question; the queue got the question instead.
      const box = el("input", { type: "checkbox", name: "confirm_duplicate", class: "check", id: "offline-confirm" });
      const label = el("label", { class: "inline", for: "offline-confirm" }, [box, document.createTextNode(" " + t.confirmDuplicate)]);
      form.querySelector("button[type=submit]").before(el("div", { class: "field offline-editing" }, [label]));
    }
    form.prepend(el("p", { class: "msg msg-warning offline-editing", text: t.editingQueued }));
    form.scrollIntoView();
  }

  /* --- the waiting list and the conflict screen --------------------------------------------------- */

  function statusText(entry) {
    if (entry.status === "conflict") {
      return t.conflict;
    }
    if (entry.status === "refused") {
      return t.refused + (entry.message ? " — " + entry.message : "");
    }
    return entry.problem === 401 || entry.problem === 403 ? t.loginAgain : t.waiting;
  }

  function shown(value) {
    if (value === undefined || value === null || value === "") {
      return "—";
    }
    if (Array.isArray(value)) {
      return value.join(", ");
    }
    if (typeof value === "object") {
      return value.name || value.code || JSON.stringify(value);
    }
    return String(value);
  }

  // Both versions side by side; the person chooses, nothing is overwritten without them.
  function conflictScreen(entry) {
    const names = Object.keys(entry.fields).filter((name) => name in (entry.current || {}));
    const rows = names.map((name) => {
      const differs = shown(entry.current[name]) !== shown(entry.fields[name]);
      return el("tr", differs ? { class: "offline-differs" } : {}, [
        el("th", { scope: "row", text: (entry.labels && entry.labels[name]) || name }),
        el("td", { text: shown(entry.current[name]) }),
        el("td", { text: shown(entry.fields[name]) }),
      ]);
    });
    const useServer = el("button", { type: "button", class: "btn btn-secondary", text: t.useServer });
    const useMine = el("button", { type: "button", class: "btn", text: t.useMine });
    useServer.addEventListener("click", async () => {
      await queue.remove(entry.id);
      location.href = "/laporan/" + entry.type + "/" + entry.recordId + "/";
    });
    useMine.addEventListener("click", async () => {
      // Sent again on top of the version just seen: the person chose to replace it.
      Object.assign(entry, { version: entry.current.version, status: "waiting", current: null, message: "", errors: {} });
      await queue.put(entry);
      await sendNow();
    });
    return el("div", { class: "card offline-conflict", role: "alert" }, [
      el("h3", { text: t.conflictTitle }),
      entry.message ? el("p", { text: entry.message }) : null,
      el("div", { class: "table-wrap" }, [
        el("table", {}, [
          el("thead", {}, [el("tr", {}, [el("th", { text: t.field }), el("th", { text: t.serverVersion }), el("th", { text: t.yourVersion })])]),
          el("tbody", {}, rows),
        ]),
      ]),
      el("p", {}, [useServer, document.createTextNode(" "), useMine]),
    ]);
  }

  function item(entry, named) {
    const remove = el("button", { type: "button", class: "linklike", text: t.delete });
    remove.addEventListener("click", async () => {
      if (window.confirm(t.confirmDelete)) {
        await queue.remove(entry.id);
        await render();
      }
    });
    const open = entry.status === "conflict" ? null : el("a", { href: entry.url + "#antrean=" + entry.id, text: t.edit });
    return el("li", { "data-entry": entry.id, class: "offline-entry offline-entry-" + entry.status }, [
      el("strong", { text: entry.label + ": " + entry.title }),
      entry.submit === false ? el("span", { class: "muted offline-draft", text: " · " + t.draft }) : null,
      // A manager of several libraries sees which one each waiting entry is for.
      named && entry.libraryName ? el("span", { class: "muted", text: " · " + entry.libraryName }) : null,
      el("br"),
      el("span", { class: "muted", text: statusText(entry) }),
      el("br"),
      open,
      open ? document.createTextNode(" · ") : null,
      remove,
      entry.status === "conflict" ? conflictScreen(entry) : null,
    ]);
  }

  async function render() {
    const main = document.getElementById("main");
    if (!main || !user) {
      return;
    }
    const entries = await queue.all(user);
    let panel = document.getElementById("offline-queue");
    if (!entries.length && navigator.onLine) {
      if (panel) {
        panel.remove();
      }
      return;
    }
    const fresh = el("section", { id: "offline-queue", class: "card offline-queue", "aria-live": "polite" }, [
      navigator.onLine ? null : el("p", { class: "msg msg-warning", text: t.offline }),
      entries.length ? el("h2", { text: t.queueTitle + " (" + entries.length + ")" }) : null,
      entries.length ? el("ul", {}, entries.map((entry) => item(entry, new Set(entries.map((e) => e.library)).size > 1))) : null,
    ]);
    if (entries.length && navigator.onLine) {
      const send = el("button", { type: "button", class: "btn btn-secondary", text: t.sendNow });
      send.addEventListener("click", sendNow);
      fresh.appendChild(send);
    }
    if (panel) {
      panel.replaceWith(fresh);
    } else {
      const heading = main.querySelector("h1");
      heading ? heading.after(fresh) : main.prepend(fresh);
    }
  }

  // The offline page lists the forms this phone keeps (remembered from the last page online).
  async function listKeptForms() {
    const list = document.querySelector("[data-offline-forms]");
    if (!list) {
      return;
    }
    const kept = (await queue.meta("keep")) || [];
    kept.forEach(([url, label]) => list.appendChild(el("li", {}, [el("a", { href: url, text: label })])));
  }

  /* --- start ---------------------------------------------------------------------------------------- */

  async function start() {
    if (user) {
      await queue.meta("user", user);
      await queue.meta("csrf", csrfCookie());
      await queue.meta("keep", config.keep);
    } else {
      user = await queue.meta("user"); // the offline page names nobody: the phone remembers its person
    }
    if (form) {
      await freshClientId();
      await queue.meta("multi:" + config.form.type, config.form.multi); // for a post the worker has to queue
      await queue.meta("label:" + config.form.type, config.form.label); // its words, not the type's code
      if (config.form.library) {
        await queue.meta("library:" + config.form.library, config.form.libraryName);
      }
      if (location.hash === "#antrean-tersimpan" || location.hash === "#draf-tersimpan") {
        const submit = location.hash === "#antrean-tersimpan";
        history.replaceState(null, "", location.pathname + location.search);
        flash(queuedText(submit));
      }
      dateOfToday();
      monthOfToday();
      form.addEventListener("submit", queueSubmit);
      form.addEventListener("change", (event) => {
        if (event.target.name === "photos" && event.target.type === "file") {
          shrinkChosen(event.target);
        }
      });
      await openQueued();
      window.addEventListener("hashchange", openQueued); // "Ubah" on the form the entry came from
    }
    // Logging out: the cached pages go (the service worker does it); unsent entries stay, with a warning.
    document.querySelectorAll('form[action="' + config.logoutUrl + '"]').forEach((logout) =>
      logout.addEventListener("submit", (event) => {
        if (logout.dataset.confirmed || !user) {
          return;
        }
        event.preventDefault();
        queue.all(user).then((waiting) => {
          if (!waiting.length || window.confirm(t.logoutPending.replace("{n}", waiting.length))) {
            logout.dataset.confirmed = "1";
            logout.submit();
          }
        });
      })
    );
    if (typeof BroadcastChannel !== "undefined") {
      new BroadcastChannel("tpbis-queue").onmessage = render;
    }
    window.addEventListener("online", sendNow);
    window.addEventListener("offline", render);
    await listKeptForms();
    await render();
    await sendNow(); // the app opened with a connection: whatever waited goes now
  }

  start();
})();
