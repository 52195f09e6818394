/* The on-device queue of entries made without a connection, and their sending (SIM TPBIS, issue 15).
 *
 * Loaded by the pages (offline.js) and by the service worker (Background Sync), so both send the same way.
 * An entry is kept in IndexedDB until the server confirms it (201 new, 200 already saved); its client id,
 * made on the phone, lets the server answer a resend with the saved record instead of a second one.
 * Only one sender runs at a time across tabs and the service worker (a Web Lock, plus a "sending" mark
 * written in the same IndexedDB transaction that reads it, for browsers without Web Locks).
 */
(function (scope) {
  "use strict";

  const DB_NAME = "tpbis-offline";
  const ENTRIES = "entries";
  const META = "meta";
  const SYNC_TAG = "tpbis-send";
  const SENDING_MS = 60 * 1000; // a sender that died (tab closed mid-send) frees its entry after a minute
  const SENT_KEPT = 100; // the client ids of the last new entries sent, see taken()

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  let opened = null;
  function db() {
    if (!opened) {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(ENTRIES, { keyPath: "id" });
        req.result.createObjectStore(META, { keyPath: "key" });
      };
      opened = request(req);
    }
    return opened;
  }

  async function store(name, mode) {
    return (await db()).transaction(name, mode).objectStore(name);
  }

  async function all(user) {
    const entries = await request((await store(ENTRIES, "readonly")).getAll());
    return entries
      .filter((e) => user === undefined || e.user === user)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async function get(id) {
    return request((await store(ENTRIES, "readonly")).get(id));
  }

  async function put(entry) {
    await request((await store(ENTRIES, "readwrite")).put(entry));
    changed();
  }

  async function remove(id) {
    await request((await store(ENTRIES, "readwrite")).delete(id));
    changed();
  }

  async function meta(key, value) {
    const objects = await store(META, value === undefined ? "readonly" : "readwrite");
    if (value === undefined) {
      const row = await request(objects.get(key));
      return row ? row.value : undefined;
    }
    return request(objects.put({ key: key, value: value }));
  }

  // Tell every open page that the queue changed (they redraw their "Menunggu dikirim" list).
  function changed() {
    if (typeof BroadcastChannel !== "undefined") {
      new BroadcastChannel("tpbis-queue").postMessage("changed");
    }
  }

  // Take an entry for sending, unless another tab or the service worker has it: read and mark in one transaction.
  async function claim(id) {
    const objects = await store(ENTRIES, "readwrite");
    const entry = await request(objects.get(id));
    if (!entry || entry.status !== "waiting" || (entry.sendingUntil || 0) > Date.now()) {
      return null;
    }
    entry.sendingUntil = Date.now() + SENDING_MS;
    entry.problem = 0;
    await request(objects.put(entry));
    return entry;
  }

  function base64(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  async function body(entry) {
    const data = Object.assign({}, entry.fields);
    data.photos = await Promise.all((entry.photos || []).map(async (blob) => base64(await blob.arrayBuffer())));
    if (entry.staged && entry.staged.length) {
      data.staged_photos = entry.staged; // kept on the server by the form's earlier round trip
    }
    if (entry.recordId) {
      data.version = entry.version;
      // A draft's page: "Kirim laporan" sends it, "Simpan sebagai draf" keeps it a draft (ignored for others).
      data.submit = entry.submit !== false;
      data.confirm_duplicate = Boolean(entry.confirmDuplicate);
    } else {
      data.library_id = entry.library;
      data.client_id = entry.id;
      data.submit = entry.submit !== false;
      data.confirm_duplicate = Boolean(entry.confirmDuplicate);
    }
    return JSON.stringify(data);
  }

  // Send one entry. Returns false when sending should stop for now (no connection, logged out, server down).
  async function sendOne(entry) {
    const url = "/api/v1/records/" + entry.type + (entry.recordId ? "/" + entry.recordId : "");
    let response;
    try {
      response = await fetch(url, {
        method: entry.recordId ? "PUT" : "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": (await meta("csrf")) || "" },
        body: await body(entry),
      });
    } catch (error) {
      entry.sendingUntil = 0;
      await put(entry);
      return false; // no connection: the entry waits, untouched
    }
    let answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = {};
    }
    if (response.status === 200 || response.status === 201) {
      await remove(entry.id); // the server has it: only now does it leave the phone
      if (!entry.recordId) {
        await meta("sent", [entry.id, ...((await meta("sent")) || []).filter((id) => id !== entry.id)].slice(0, SENT_KEPT));
      }
      return true;
    }
    entry.sendingUntil = 0;
    // A refusal of this entry (403 withdrawn/forbidden included) vs. a reason to wait (session, CSRF, load).
    const refusedHere = response.status === 403 && (answer.code === "withdrawn" || answer.code === "forbidden");
    const later = !refusedHere && (response.status === 401 || response.status === 403 || response.status === 429 || response.status >= 500);
    if (!later) {
      // Refused (409, 422, 404...): back in the list with the server's words, beside the fields when opened.
      entry.status = answer.code === "stale_version" ? "conflict" : "refused";
      entry.code = answer.code || "invalid";
      entry.message = answer.message || "";
      entry.errors = answer.errors || {};
      entry.current = answer.current || null;
      entry.existingId = answer.existing_id || null;
      await put(entry);
      return true;
    }
    // Logged out (401/403), too many requests, server trouble: keep waiting and try again later.
    entry.problem = response.status;
    await put(entry);
    return false;
  }

  // A client id this phone already used for a new entry: one waiting here, or one sent from here.
  async function taken(id) {
    return Boolean(id && ((await get(id)) || ((await meta("sent")) || []).includes(id)));
  }

  async function sendEach() {
    const user = await meta("user");
    for (const waiting of await all(user)) {
      const entry = await claim(waiting.id);
      if (entry && !(await sendOne(entry))) {
        break;
      }
    }
  }

  // Send every waiting entry of the person logged in, one by one, oldest first.
  async function sendAll() {
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request(SYNC_TAG, { ifAvailable: true }, (lock) => (lock ? sendEach() : null));
    }
    return sendEach();
  }

  const NOT_FIELDS = ["csrfmiddlewaretoken", "client_id", "perpustakaan", "seen", "draft", "photos", "staged_photos", "unstage"];

  // The photos the server kept when the form came back with an error (its hidden `staged_photos`), less
  // those ticked for removal: the entry names them, and the record takes them when it is sent.
  function keptPhotoIds(data) {
    const removing = new Set(data.getAll("unstage"));
    const ids = data.getAll("staged_photos").filter((id) => /^\d+$/.test(id) && !removing.has(id));
    return Array.from(new Set(ids), Number);
  }

  // A web form's post that never reached the server (the signal dropped mid-send), as a queue entry.
  // The form's own client id is kept: if the server did save it after all, the resend gets that record.
  async function entryFromPost(data, url) {
    const match = url.pathname.match(/^\/laporan\/([a-z]+)\/(?:baru|(\d+)\/ubah)\/$/);
    const type = match[1];
    const multi = (await meta("multi:" + type)) || [];
    const fields = {};
    for (const name of new Set(data.keys())) {
      const values = data.getAll(name).filter((v) => typeof v === "string");
      if (NOT_FIELDS.includes(name)) {
        continue;
      } else if (multi.includes(name)) {
        fields[name] = values;
      } else if (values[0] !== "") {
        fields[name] = values[0] === "on" ? true : values[0];
      }
    }
    const photos = data.getAll("photos").filter((f) => typeof f !== "string" && f.size > 0);
    return {
      id: data.get("client_id") || crypto.randomUUID(),
      user: await meta("user"),
      type: type,
      label: (await meta("label:" + type)) || type,
      library: Number(data.get("perpustakaan")) || null,
      libraryName: (await meta("library:" + data.get("perpustakaan"))) || "",
      recordId: match[2] ? Number(match[2]) : null,
      version: data.get("seen") || null, // the edit page's `seen` is the API's version
      url: url.pathname + url.search,
      fields: fields,
      title: fields.title || (fields.month && fields.year ? fields.month + "/" + fields.year : "—"),
      photos: photos,
      staged: keptPhotoIds(data),
      submit: data.get("draft") !== "1",
      confirmDuplicate: Boolean(fields.confirm_duplicate),
      status: "waiting",
      errors: {},
      sendingUntil: 0,
      createdAt: Date.now(),
    };
  }

  scope.tpbisQueue = { SYNC_TAG, all, get, put, remove, meta, sendAll, entryFromPost, keptPhotoIds, taken };
})(self);
