// The queue: sends the cases waiting on the device, exactly once, by the sync contract
// (FIELD_PROTOCOL: issue 12's contract between the server and this terminal).
//
// A case's states (record.state):
//   draft      草稿    kept on the device, not to be sent yet
//   queued     待发送  to be sent at the next chance
//   sending    发送中  being sent (or interrupted: the app was closed; sent again, harmlessly)
//   sent       已发送  submitted: its number and deadlines are shown
//   incomplete 需补充  the server listed missing or wrong elements: the officer edits, re-sends
//   conflict   冲突    the server holds something else under this case's id or version
//   auth       等待登录 the sign-in ended (401): the case waits, intact, for a new sign-in
//   refused    被拒绝  not allowed (403) or refused otherwise: shown, kept, re-sent on request
//
// Exactly once:
// 1. Create: POST cases/ with the device's client_id (also as Idempotency-Key, for a server
//    without client_id: its 24 h window). A re-send of the same content gets the same case.
// 2. Photos: PUT cases/<n>/photos/<sha256>/ one by one; a resumed upload first lists what the
//    server has and skips it. A server without that route (404/405) gets POST attachments/ with
//    Idempotency-Key "<client_id>:photo:<sha256>" instead.
// 3. Edits after a refusal: PATCH with the version they were based on; 409 stale = conflict.
// 4. Submit with Idempotency-Key "<client_id>:submit"; a 409/403 is checked by reading the
//    case (an earlier submit whose answer was lost has committed: done).
//
// When: on start, on the `online` event, when the page becomes visible, on the service
// worker's Background Sync message, and by a retry timer with exponential back-off and jitter
// after a failure (Background Sync alone exists only in Chromium). A 401 stops everything,
// keeps the queue and asks for a new sign-in; signing in resumes.
import * as store from "./db.js";

export const STATES = ["draft", "queued", "sending", "sent", "incomplete", "conflict", "auth", "refused"];
export const PENDING = new Set(["queued", "sending", "auth"]);
const SENDABLE = new Set(["queued", "sending"]);
const TEXT_FIELDS = ["title", "location", "persons", "cause", "course"];

export class AuthEnded extends Error {}
export class RetryLater extends Error {
  constructor(message, seconds = null) {
    super(message);
    this.seconds = seconds;
  }
}

/** The draft's fields as the API's CaseDraftSerializer takes them. */
export function draftBody(fields) {
  const body = { category: fields.category || "other", major: Boolean(fields.major) };
  for (const name of TEXT_FIELDS) body[name] = (fields[name] || "").trim();
  body.occurred_at = fields.occurred_at ? new Date(fields.occurred_at).toISOString() : null;
  body.parties = (fields.parties || [])
    .map((p) => ({ name: (p.name || "").trim(), phone: (p.phone || "").trim() }))
    .filter((p) => p.name || p.phone);
  if (fields.latitude != null && fields.longitude != null) {
    body.latitude = fields.latitude;
    body.longitude = fields.longitude;
    body.crs = "wgs84";
    if (fields.location_accuracy != null) body.location_accuracy = fields.location_accuracy;
    // location_mock: a browser cannot know it (place.js); left out, which the API takes as false.
  }
  return body;
}

function changedFields(now, before) {
  const changed = {};
  for (const [key, value] of Object.entries(now)) {
    if (JSON.stringify(value) !== JSON.stringify(before ? before[key] : undefined)) changed[key] = value;
  }
  return changed;
}

/** The API's `fields` as a list the officer reads: [{field, label, messages}]. */
export function missingList(fields, labels) {
  const rows = new Map();
  for (const [key, messages] of Object.entries(fields || {})) {
    const field = key.split(".")[0];
    const row = rows.get(field) || { field, label: labels[field] || field, messages: [] };
    row.messages.push(...(Array.isArray(messages) ? messages : [String(messages)]));
    rows.set(field, row);
  }
  return [...rows.values()];
}

function summary(detail) {
  return {
    number: detail.number,
    state: detail.state,
    state_label: detail.state_label,
    accept_due: detail.accept_due,
    handle_due: detail.handle_due,
    version: detail.version,
  };
}

// What a server before the contract lacks (client_id on create, `version`, the photo route)
// is remembered for an hour, then tried again: the server may have been updated meanwhile.
const LEGACY_MS = 3600 * 1000;

async function legacy(name) {
  const since = await store.getMeta(`legacy_${name}`);
  return typeof since === "number" && Date.now() - since < LEGACY_MS;
}

function setLegacy(name) {
  return store.setMeta(`legacy_${name}`, Date.now());
}

function onlyUnknown(body, name) {
  const fields = body && body.fields ? Object.keys(body.fields) : [];
  return fields.length === 1 && fields[0] === name;
}

export class Sync {
  constructor({ api, labels, onChange = () => {}, onAuthEnded = () => {}, onRetry = () => {}, onSent = () => {}, concurrency = 3 }) {
    this.api = api;
    this.onSent = onSent;
    this.labels = labels;
    this.onChange = onChange;
    this.onAuthEnded = onAuthEnded;
    this.onRetry = onRetry;
    this.concurrency = concurrency;
    this.running = false;
    this.again = false;
    this.failures = 0;
    this.timer = null;
    this.nextAt = 0;
  }

  start() {
    window.addEventListener("online", () => this.run("online"));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.run("visible");
    });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.addEventListener("message", (event) => {
        if (event.data && event.data.type === "sync") this.run("background-sync");
      });
    }
    // A slow heartbeat besides the back-off timer: a phone whose `online` event never came.
    setInterval(() => {
      if (Date.now() >= this.nextAt) this.run("heartbeat");
    }, 60000);
    return this.run("start");
  }

  async request(method, path, { json, form, headers = {} } = {}) {
    const auth = await store.getMeta("auth");
    if (!auth || auth.ended) throw new AuthEnded();
    const options = {
      method,
      headers: { Authorization: `Token ${auth.key}`, Accept: "application/json", ...headers },
      credentials: "omit", // the token only: never the workbench's session (no CSRF here)
      cache: "no-store",
    };
    if (json !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(json);
    } else if (form !== undefined) {
      options.body = form;
    }
    let response;
    try {
      response = await fetch(this.api + path, options);
    } catch (error) {
      throw new RetryLater(String(error && error.message ? error.message : error));
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.status === 401) throw new AuthEnded();
    if (response.status === 429) {
      const wait = Number(response.headers.get("Retry-After")) || 60;
      throw new RetryLater((body && body.message) || "429", wait);
    }
    if (response.status >= 500) throw new RetryLater((body && body.message) || `HTTP ${response.status}`);
    return { status: response.status, body, replayed: response.headers.get("Idempotent-Replayed") === "true" };
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.nextAt = Date.now() + delay;
    this.timer = setTimeout(() => this.run("retry"), delay);
  }

  /** Exponential back-off with jitter: 2 s, 4 s, 8 s … up to 5 min, each between half and all. */
  backoff() {
    const ceiling = Math.min(300000, 2000 * 2 ** Math.min(this.failures, 10));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  async run(reason = "") {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.lastReason = reason;
    try {
      do {
        this.again = false;
        // One sender per device: two open tabs of the terminal take turns (Web Locks).
        if (navigator.locks) await navigator.locks.request("pingantong-send", () => this.pass());
        else await this.pass();
      } while (this.again);
    } finally {
      this.running = false;
      this.onChange();
    }
  }

  async pass() {
    const auth = await store.getMeta("auth");
    if (!auth || auth.ended) return;
    // navigator.onLine false is certain (no network at all): wait for the `online` event
    // rather than show the cases as 发送中 for nothing. (true is not: sending tells.)
    if (navigator.onLine === false) return;
    const queue = (await store.allCases()).filter(
      (c) => SENDABLE.has(c.state) && (!c.owner || c.owner === auth.username),
    );
    if (!queue.length) {
      this.failures = 0;
      return;
    }
    let retry = null;
    let ended = false;
    const worker = async () => {
      while (queue.length && !ended) {
        const item = queue.shift();
        try {
          await this.send(item.client_id);
        } catch (error) {
          if (error instanceof AuthEnded) {
            ended = true;
            break;
          }
          const seconds = error instanceof RetryLater ? error.seconds || 0 : 0;
          if (!(error instanceof RetryLater)) console.error(error);
          retry = Math.max(retry ?? 0, seconds);
          await store.updateCase(item.client_id, (r) => {
            r.state = "queued";
            r.error = String(error.message || error);
          });
        }
        this.onChange();
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    if (ended) {
      await this.authEnded();
      return;
    }
    if (retry !== null) {
      this.failures += 1;
      const delay = Math.max(retry * 1000, this.backoff());
      this.schedule(delay);
      this.onRetry(delay);
    } else {
      this.failures = 0;
      this.nextAt = 0;
      this.onRetry(null); // went through: no retry pending
    }
  }

  /** 401: the sign-in has ended. Nothing is sent until the officer signs in again. */
  async authEnded() {
    const auth = await store.getMeta("auth");
    if (auth) await store.setMeta("auth", { ...auth, ended: true });
    for (const item of await store.allCases()) {
      if (SENDABLE.has(item.state)) await store.updateCase(item.client_id, (r) => { r.state = "auth"; });
    }
    clearTimeout(this.timer);
    this.onAuthEnded();
    this.onChange();
  }

  /** After a new sign-in: the cases that waited for it go back to the queue. */
  async resume() {
    for (const item of await store.allCases()) {
      if (item.state === "auth") await store.updateCase(item.client_id, (r) => { r.state = "queued"; });
    }
    this.failures = 0;
    return this.run("signed-in");
  }

  async save(clientId, change) {
    const record = await store.updateCase(clientId, change);
    this.onChange();
    return record;
  }

  async send(clientId) {
    let item = await this.save(clientId, (r) => {
      r.state = "sending";
      r.error = "";
      r.attempts = (r.attempts || 0) + 1;
    });
    if (!item) return; // deleted meanwhile, by the officer
    if (!item.number) item = await this.create(item);
    if (item.state !== "sending") return;
    if (item.dirty) item = await this.patch(item);
    if (item.state !== "sending") return;
    item = await this.photos(item);
    if (item.state !== "sending") return;
    await this.submit(item);
  }

  async stop(clientId, state, extra = {}) {
    const record = await this.save(clientId, (r) => Object.assign(r, { state }, extra));
    if (state === "sent") this.onSent(record);
    return record;
  }

  refusedBody(body, status) {
    return { error: (body && body.message) || `HTTP ${status}` };
  }

  async create(item) {
    const old = await legacy("client_id");
    const body = draftBody(item.fields);
    if (!old) body.client_id = item.client_id;
    const r = await this.request("POST", "cases/", { json: body, headers: { "Idempotency-Key": item.client_id } });
    if (r.status === 200 || r.status === 201) {
      return this.save(item.client_id, (x) => {
        x.number = r.body.number;
        x.version = r.body.version;
        // What the server holds; an edit made on the phone meanwhile is sent by a PATCH.
        x.sent_body = withoutClientId(body);
        x.dirty = JSON.stringify(draftBody(x.fields)) !== JSON.stringify(x.sent_body);
        x.server = summary(r.body);
        x.replayed = r.replayed;
      });
    }
    if (r.status === 400 && !old && onlyUnknown(r.body, "client_id")) {
      // A server before the contract's client_id: its Idempotency-Key (24 h) carries the id.
      await setLegacy("client_id");
      return this.create(item);
    }
    if (r.status === 409 || r.status === 422) {
      const number = r.body && r.body.number;
      return this.stop(item.client_id, "conflict", { error: (r.body && r.body.message) || "", conflict: "client_id", conflict_number: number || "" });
    }
    if (r.status === 400) {
      return this.stop(item.client_id, "incomplete", { missing: missingList(r.body && r.body.fields, this.labels), error: (r.body && r.body.message) || "" });
    }
    return this.stop(item.client_id, "refused", this.refusedBody(r.body, r.status));
  }

  async patch(item) {
    const old = await legacy("version");
    const now = draftBody(item.fields);
    const body = changedFields(now, item.sent_body);
    if (!old && item.version != null) body.version = item.version;
    const r = await this.request("PATCH", `cases/${encodeURIComponent(item.number)}/`, { json: body });
    if (r.status === 200) {
      return this.save(item.client_id, (x) => {
        x.version = r.body.version;
        x.sent_body = now;
        x.dirty = JSON.stringify(draftBody(x.fields)) !== JSON.stringify(now);
        x.server = summary(r.body);
      });
    }
    if (r.status === 400 && !old && onlyUnknown(r.body, "version")) {
      await setLegacy("version");
      return this.patch(item);
    }
    if (r.status === 409) {
      return this.stop(item.client_id, "conflict", { error: (r.body && r.body.message) || "", conflict: "stale", server_version: r.body && r.body.version });
    }
    if (r.status === 400) {
      return this.stop(item.client_id, "incomplete", { missing: missingList(r.body && r.body.fields, this.labels), error: (r.body && r.body.message) || "" });
    }
    return this.stop(item.client_id, "refused", this.refusedBody(r.body, r.status));
  }

  async photos(item) {
    const number = encodeURIComponent(item.number);
    const pending = (await store.photosOf(item.client_id)).filter((p) => !p.sent);
    if (!pending.length) return item;
    if (pending.some((p) => p.tried)) {
      // An earlier attempt may have reached the server with its answer lost: skip what it has.
      const r = await this.request("GET", `cases/${number}/attachments/`);
      if (r.status === 200 && Array.isArray(r.body)) {
        const have = new Set(r.body.map((a) => a.sha256 || String(a.name || "").replace(/\.jpe?g$/i, "")));
        for (const p of pending) {
          if (have.has(p.sha256)) {
            await store.markPhoto(p.id, { sent: true });
            p.sent = true;
          }
        }
      }
    }
    for (const photo of pending.filter((p) => !p.sent)) {
      await store.markPhoto(photo.id, { tried: true });
      const r = await this.upload(item, photo);
      if (r.status === 200 || r.status === 201) {
        await store.markPhoto(photo.id, { sent: true });
        this.onChange();
        continue;
      }
      return this.stop(item.client_id, "refused", this.refusedBody(r.body, r.status));
    }
    return item;
  }

  async upload(item, photo) {
    const number = encodeURIComponent(item.number);
    const form = () => {
      const data = new FormData();
      data.append("file", photo.blob, photo.name);
      return data;
    };
    if (!(await legacy("photos"))) {
      const r = await this.request("PUT", `cases/${number}/photos/${photo.sha256}/`, { form: form() });
      if (r.status !== 404 && r.status !== 405) return r;
    }
    // The server has no photo route (yet): its attachments with an Idempotency-Key.
    const r = await this.request("POST", `cases/${number}/attachments/`, {
      form: form(),
      headers: { "Idempotency-Key": `${item.client_id}:photo:${photo.sha256}` },
    });
    if (r.status === 201 || r.status === 200) await setLegacy("photos");
    return r;
  }

  async submit(item) {
    const number = encodeURIComponent(item.number);
    const old = await legacy("version");
    const body = old || item.version == null ? {} : { version: item.version };
    const r = await this.request("POST", `cases/${number}/submit/`, {
      json: body,
      headers: { "Idempotency-Key": `${item.client_id}:submit` },
    });
    if (r.status === 200) {
      return this.stop(item.client_id, "sent", { server: summary(r.body), version: r.body.version, missing: [], error: "", sent_at: new Date().toISOString() });
    }
    if (r.status === 400 && !old && onlyUnknown(r.body, "version")) {
      await setLegacy("version");
      return this.submit(item);
    }
    if (r.status === 400) {
      return this.stop(item.client_id, "incomplete", { missing: missingList(r.body && r.body.fields, this.labels), error: (r.body && r.body.message) || "" });
    }
    if (r.status === 409 || r.status === 403) {
      // An earlier submit of ours may have committed with its answer lost: read the case.
      const now = await this.request("GET", `cases/${number}/`);
      if (now.status === 200 && now.body.state !== "draft") {
        return this.stop(item.client_id, "sent", { server: summary(now.body), version: now.body.version, missing: [], error: "" });
      }
      if (r.status === 409) {
        return this.stop(item.client_id, "conflict", { error: (r.body && r.body.message) || "", conflict: "stale", server_version: r.body && r.body.version });
      }
    }
    return this.stop(item.client_id, "refused", this.refusedBody(r.body, r.status));
  }

  /** What the terminal shows offline: the officer's cases and the follow-ups due. */
  async refresh() {
    const auth = await store.getMeta("auth");
    if (!auth || auth.ended || !auth.id) return;
    try {
      const mine = await this.request("GET", `cases/?officer=${auth.id}&page_size=30`);
      if (mine.status === 200) {
        await store.setMeta("mine", { at: new Date().toISOString(), items: mine.body.results || [] });
      }
      const closed = await this.request("GET", `cases/?officer=${auth.id}&state=closed&page_size=10`);
      if (closed.status === 200) {
        const due = [];
        for (const row of closed.body.results || []) {
          const detail = await this.request("GET", `cases/${encodeURIComponent(row.number)}/`);
          if (detail.status !== 200) continue;
          const d = detail.body;
          if (d.follow_up_due && !(d.follow_ups || []).length) {
            due.push({ number: d.number, title: d.title, follow_up_due: d.follow_up_due });
          }
        }
        await store.setMeta("follow_ups", { at: new Date().toISOString(), items: due });
      }
    } catch (error) {
      if (error instanceof AuthEnded) await this.authEnded();
      // offline: what was read before stays, with its time
    }
    this.onChange();
  }
}

function withoutClientId(body) {
  const copy = { ...body };
  delete copy.client_id;
  return copy;
}
