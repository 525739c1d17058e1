// 平安通's interface: sign-in with a device token, the entry form (with photos and the phone's
// location), the cases on the device with their states ("待发送 N"), the officer's cases and
// follow-ups due as last read ("最后同步于 …"). Everything it shows offline comes from
// IndexedDB (db.js); sending is sync.js's. The texts are the page's (json_script), so the
// cached shell speaks the officer's language offline too.
import * as store from "./db.js";
import { shrink, NotAnImage, TooBig } from "./photos.js";
import { locate, suspicious } from "./place.js";
import { Sync, PENDING, draftBody } from "./sync.js";

const config = JSON.parse(document.getElementById("field-config").textContent);
const texts = config.texts;
const locale = config.language === "en" ? "en" : "zh-CN";
const $ = (id) => document.getElementById(id);

function t(key, vars = {}) {
  return (texts[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(vars[name] ?? ""));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString(locale, { hour12: false }) : "";
}

function localInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function notice(message, kind = "info") {
  const box = $("notice");
  delete box.dataset.retry;
  box.className = `msg msg-${kind}`;
  box.textContent = message;
}

const categoryLabel = Object.fromEntries(config.categories);

// ---- the entry form

let current = null; // the client_id of the case in the form (made when the case is started)
let place = {}; // latitude, longitude, location_accuracy of the form's case

function partyRow(party = {}) {
  const n = $("parties").children.length + 1;
  const id = `party-${Date.now().toString(36)}-${n}`;
  const row = el(
    "div",
    { class: "party-row" },
    el("div", { class: "field" },
      el("label", { for: `${id}-name`, text: `${t("party_name")} ${n}` }),
      el("input", { id: `${id}-name`, class: "party-name", maxlength: "50", value: party.name || "" })),
    el("div", { class: "field" },
      el("label", { for: `${id}-phone`, text: `${t("party_phone")} ${n}` }),
      el("input", { id: `${id}-phone`, class: "party-phone", type: "tel", inputmode: "tel", value: party.phone || "" })),
    el("button", { type: "button", class: "small party-remove", "aria-label": `${t("remove_party")} ${n}`, text: "×" }),
  );
  row.querySelector(".party-remove").addEventListener("click", () => row.remove());
  $("parties").append(row);
}

function readForm() {
  const fields = {
    category: $("f-category").value,
    major: $("f-major").checked,
    title: $("f-title").value,
    occurred_at: $("f-occurred").value,
    location: $("f-location").value,
    persons: $("f-persons").value,
    cause: $("f-cause").value,
    course: $("f-course").value,
    parties: [...$("parties").querySelectorAll(".party-row")].map((row) => ({
      name: row.querySelector(".party-name").value,
      phone: row.querySelector(".party-phone").value,
    })),
  };
  if (place.latitude != null) Object.assign(fields, place);
  return fields;
}

function fillForm(fields) {
  $("f-category").value = fields.category || config.categories[0][0];
  $("f-major").checked = Boolean(fields.major);
  for (const [id, name] of [["f-title", "title"], ["f-occurred", "occurred_at"], ["f-location", "location"],
    ["f-persons", "persons"], ["f-cause", "cause"], ["f-course", "course"]]) {
    $(id).value = fields[name] || "";
  }
  $("parties").replaceChildren();
  for (const party of fields.parties || []) partyRow(party);
  place = fields.latitude != null
    ? { latitude: fields.latitude, longitude: fields.longitude, location_accuracy: fields.location_accuracy }
    : {};
  showPlace();
}

function showPlace() {
  const status = $("locate-status");
  if (place.latitude == null) {
    status.textContent = "";
    return;
  }
  status.textContent = t("located", { lat: place.latitude, lon: place.longitude, acc: place.location_accuracy });
  if (suspicious(place.location_accuracy)) status.textContent += ` ${t("accuracy_zero")}`;
}

function newCase() {
  current = crypto.randomUUID();
  $("case-form").reset();
  $("f-client-id").value = current;
  fillForm({ category: config.categories[0][0], occurred_at: localInput(new Date()) });
  $("entry-editing").textContent = "";
  $("entry-errors").replaceChildren();
  renderPhotos();
}

async function editCase(clientId) {
  const record = await store.getCase(clientId);
  if (!record) return;
  current = clientId;
  $("f-client-id").value = clientId;
  fillForm(record.fields || {});
  $("entry-editing").textContent = `(${t("edit")}${record.number ? ` ${record.number}` : ""})`;
  $("entry-errors").replaceChildren(...missingBlock(record));
  await renderPhotos();
  $("entry").scrollIntoView();
  $("f-title").focus();
}

function blank(fields) {
  return !["title", "location", "persons", "cause", "course"].some((k) => (fields[k] || "").trim())
    && !(fields.parties || []).some((p) => p.name || p.phone);
}

/** Keep the form's case on the device, as a draft or queued to be sent. */
async function saveCase(state) {
  const fields = readForm();
  const existing = await store.getCase(current);
  const photos = await store.photosOf(current);
  if (!existing && blank(fields) && !photos.length) {
    notice(t("form_empty"), "error");
    return null;
  }
  const auth = await store.getMeta("auth");
  const record = existing || {
    client_id: current,
    created_at: new Date().toISOString(),
    owner: auth && auth.username ? auth.username : null,
    number: null,
    version: null,
  };
  if (record.state === "sent" || record.state === "sending") {
    // Sent (or being sent) meanwhile: the server's now; the edit is not kept, and said so.
    notice(t("too_late"), "error");
    return null;
  }
  record.fields = fields;
  if (state === "queued" && record.state === "conflict" && record.conflict === "stale" && record.server_version != null) {
    // The officer saw the conflict, checked and chose to send their edit on the new version.
    record.version = record.server_version;
  }
  record.state = state;
  record.error = "";
  if (state === "queued") record.missing = [];
  if (record.number) record.dirty = JSON.stringify(draftBody(fields)) !== JSON.stringify(record.sent_body);
  await store.putCase(record);
  return record;
}

async function ensureDraft() {
  if (!(await store.getCase(current))) {
    const auth = await store.getMeta("auth");
    await store.putCase({
      client_id: current,
      created_at: new Date().toISOString(),
      owner: auth && auth.username ? auth.username : null,
      number: null,
      version: null,
      state: "draft",
      fields: readForm(),
    });
  }
}

async function addPhotos(files) {
  for (const file of files) {
    try {
      const photo = await shrink(file);
      await ensureDraft();
      await store.addPhoto(current, { ...photo, added_at: new Date().toISOString() });
    } catch (error) {
      if (error instanceof NotAnImage) notice(t("photo_not_image", { name: file.name }), "error");
      else if (error instanceof TooBig) notice(t("photo_too_big", { name: file.name }), "error");
      else throw error;
    }
  }
  $("f-photos").value = "";
  await renderPhotos();
  render();
}

const shownUrls = [];
async function renderPhotos() {
  while (shownUrls.length) URL.revokeObjectURL(shownUrls.pop());
  const photos = current ? await store.photosOf(current) : [];
  $("photo-list").replaceChildren(...photos.map((photo, i) => {
    const url = URL.createObjectURL(photo.blob);
    shownUrls.push(url);
    const item = el("li", { class: "photo", "data-sha256": photo.sha256 },
      el("img", { src: url, alt: `${i + 1}: ${photo.width}×${photo.height}, ${Math.round(photo.size / 1024)} KB` }));
    if (!photo.sent) {
      const remove = el("button", { type: "button", class: "small", text: t("delete"), "aria-label": `${t("delete")} ${i + 1}` });
      remove.addEventListener("click", async () => {
        await store.removePhoto(photo.id);
        renderPhotos();
      });
      item.append(remove);
    }
    return item;
  }));
}

// ---- the lists

function missingBlock(record) {
  if (record.state !== "incomplete" || !(record.missing || []).length) return [];
  return [
    el("p", { class: "msg msg-error", text: t("missing") }),
    el("ul", { class: "errorlist missing" }, record.missing.map((m) =>
      el("li", { "data-field": m.field }, el("strong", { text: `${m.label}:` }), ` ${m.messages.join(";")}`))),
  ];
}

function confirmDelete(item, record) {
  const box = el("div", { class: "confirm", role: "group", "aria-label": t("delete") },
    el("p", { text: t("delete_confirm") }));
  const yes = el("button", { type: "button", class: "danger delete-yes", text: t("delete_yes") });
  const no = el("button", { type: "button", class: "delete-no", text: t("cancel") });
  yes.addEventListener("click", async () => {
    await store.deleteCase(record.client_id);
    if (current === record.client_id) newCase();
    render();
  });
  no.addEventListener("click", () => box.remove());
  box.append(yes, " ", no);
  item.append(box);
  no.focus();
}

async function outboxItem(record) {
  const photos = await store.photosOf(record.client_id);
  const sent = photos.filter((p) => p.sent).length;
  const title = (record.fields && record.fields.title) || categoryLabel[record.fields && record.fields.category] || "";
  const item = el("li", { class: `card item state-${record.state}`, "data-client-id": record.client_id, "data-state": record.state },
    el("div", { class: "item-head" },
      el("strong", { class: "item-title", text: title }),
      " ",
      el("span", { class: "badge badge-state item-state", text: t(`state_${record.state}`) })),
    el("p", { class: "muted small" }, when(record.created_at), " · ", t("photos", { sent, total: photos.length })));
  if (record.server && record.server.number) {
    const server = record.server;
    item.append(el("p", { class: "item-server" },
      el("strong", { class: "item-number", text: server.number }),
      record.state === "sent" ? ` · ${server.state_label || ""}` : "",
      server.accept_due ? ` · ${t("accept_due", { date: server.accept_due })}` : "",
      server.handle_due ? ` · ${t("handle_due", { date: server.handle_due })}` : ""));
  }
  item.append(...missingBlock(record));
  if (record.state === "conflict") {
    const text = record.conflict === "stale" ? t("conflict_stale") : t("conflict_client_id");
    item.append(el("p", { class: "msg msg-error item-error" }, text,
      record.conflict_number ? ` ${t("number", { number: record.conflict_number })}` : "",
      record.error ? ` (${record.error})` : ""));
  } else if (record.state === "refused") {
    item.append(el("p", { class: "msg msg-error item-error", text: t("refused", { message: record.error }) }));
  } else if (record.state === "auth") {
    item.append(el("p", { class: "msg msg-warning item-error", text: t("sign_in_again") }));
  } else if (record.state === "queued" && record.error) {
    item.append(el("p", { class: "muted small item-error", text: record.error }));
  }
  const actions = el("div", { class: "actions" });
  if (["draft", "queued", "incomplete", "conflict", "refused", "auth"].includes(record.state)) {
    const edit = el("button", { type: "button", class: "small item-edit", text: t("edit") });
    edit.addEventListener("click", () => editCase(record.client_id));
    actions.append(edit);
  }
  if (["draft", "refused"].includes(record.state)) {
    const resend = el("button", { type: "button", class: "small item-send", text: t("resend") });
    resend.addEventListener("click", async () => {
      await store.updateCase(record.client_id, (r) => { r.state = "queued"; r.error = ""; });
      sync.run("resend");
      render();
    });
    actions.append(resend);
  }
  if (record.state !== "sending") {
    const remove = el("button", { type: "button", class: "small danger item-delete", text: t("delete") });
    remove.addEventListener("click", () => confirmDelete(item, record));
    actions.append(remove);
  }
  item.append(actions);
  return item;
}

function serverRow(row, extra) {
  return el("li", { class: "card item", "data-number": row.number },
    el("strong", { text: row.number }), " ", row.title || "",
    el("p", { class: "muted small", text: extra }));
}

let rendering = null;
let renderAgain = false;
async function render() {
  if (rendering) {
    renderAgain = true;
    return rendering;
  }
  rendering = (async () => {
    do {
      renderAgain = false;
      await draw();
    } while (renderAgain);
  })();
  try {
    await rendering;
  } finally {
    rendering = null;
  }
}

async function draw() {
  const auth = await store.getMeta("auth");
  const cases = (await store.allCases()).reverse();
  const pending = cases.filter((c) => PENDING.has(c.state)).length;
  $("pending-count").textContent = String(pending);
  $("outbox-summary").textContent = pending ? t("pending", { n: pending }) : t("nothing_pending");
  $("outbox-list").replaceChildren(...(await Promise.all(cases.map(outboxItem))));
  $("who-name").textContent = auth && !auth.ended ? t("signed_in_as", { name: auth.display_name || auth.username }) : "";
  $("sign-out").classList.toggle("hidden", !auth);
  $("sign-in").classList.toggle("hidden", Boolean(auth && !auth.ended));

  const mine = await store.getMeta("mine");
  $("mine-synced").textContent = mine ? t("last_sync", { time: when(mine.at) }) : t("never_synced");
  const rows = mine ? mine.items : [];
  $("mine-list").replaceChildren(...(rows.length
    ? rows.map((row) => serverRow(row, [row.state_label, row.due ? `${row.due}` : ""].filter(Boolean).join(" · ")))
    : [el("li", { class: "muted", text: t("no_cases") })]));
  const follow = await store.getMeta("follow_ups");
  $("follow-ups-synced").textContent = follow ? t("last_sync", { time: when(follow.at) }) : t("never_synced");
  const due = follow ? follow.items : [];
  $("follow-ups-list").replaceChildren(...(due.length
    ? due.map((row) => serverRow(row, t("follow_up_due", { date: row.follow_up_due })))
    : [el("li", { class: "muted", text: t("no_follow_ups") })]));
}

function showNet() {
  const box = $("net-status");
  box.className = navigator.onLine ? "msg msg-success" : "msg msg-warning";
  box.textContent = navigator.onLine ? t("online") : t("offline");
}

// ---- sign-in

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const error = $("sign-in-error");
  error.replaceChildren();
  const data = Object.fromEntries(new FormData(form));
  let response;
  try {
    response = await fetch(`${config.api}auth/token/`, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username: data.username, password: data.password, name: data.name || "平安通" }),
    });
  } catch {
    error.append(el("p", { class: "msg msg-error", text: t("sign_in_offline") }));
    return;
  }
  const body = await response.json().catch(() => ({}));
  if (response.status !== 201) {
    const detail = [body.message, ...Object.values(body.fields || {}).flat()].filter(Boolean).join(";");
    error.append(el("p", { class: "msg msg-error", text: t("sign_in_failed", { message: detail || response.status }) }));
    return;
  }
  const me = await fetch(`${config.api}me/`, {
    credentials: "omit",
    headers: { Authorization: `Token ${body.key}`, Accept: "application/json" },
  }).then((r) => r.json()).catch(() => ({}));
  await store.setMeta("auth", {
    key: body.key,
    token_id: body.id,
    id: me.id,
    username: me.username || data.username,
    display_name: me.display_name || data.username,
    at: new Date().toISOString(),
  });
  form.reset();
  $("si-name").value = data.name || "";
  notice(t("signed_in_as", { name: me.display_name || data.username }), "success");
  await render();
  await sync.resume();
  sync.refresh();
}

async function signOut() {
  const auth = await store.getMeta("auth");
  if (auth && !auth.ended && auth.token_id) {
    // A device signs itself out by revoking its own token (any token of the person may).
    fetch(`${config.api}tokens/${auth.token_id}/`, {
      method: "DELETE",
      credentials: "omit",
      headers: { Authorization: `Token ${auth.key}` },
    }).catch(() => undefined);
  }
  await store.deleteMeta("auth");
  await store.deleteMeta("mine");
  await store.deleteMeta("follow_ups");
  if (auth) $("si-username").value = auth.username;
  render();
}

// ---- start

const sync = new Sync({
  api: config.api,
  concurrency: config.concurrency || 3,
  labels: config.labels,
  onChange: () => render(),
  onAuthEnded: async () => {
    const auth = await store.getMeta("auth");
    if (auth) $("si-username").value = auth.username;
    $("sign-in-error").replaceChildren(el("p", { class: "msg msg-warning", text: t("sign_in_again") }));
    render();
  },
  onRetry: (delay) => {
    const box = $("notice");
    if (delay !== null) {
      notice(t("retry_at", { seconds: Math.round(delay / 1000) }), "warning");
      box.dataset.retry = "true";
    } else if (box.dataset.retry) {
      box.className = "hidden";
      delete box.dataset.retry;
    }
  },
  onSent: () => refreshSoon(),
});

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => sync.refresh(), 1000);
}

async function start() {
  $("case-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const record = await saveCase("queued");
    if (!record) return;
    notice(t("queued"), "success");
    newCase();
    await render();
    registerBackgroundSync();
    sync.run("queued");
  });
  $("save-draft").addEventListener("click", async () => {
    if (await saveCase("draft")) {
      notice(t("saved_draft"), "success");
      render();
    }
  });
  $("new-case").addEventListener("click", () => newCase());
  $("party-add").addEventListener("click", () => partyRow());
  $("f-photos").addEventListener("change", (event) => addPhotos([...event.target.files]));
  $("locate").addEventListener("click", async () => {
    $("locate-status").textContent = t("locating");
    try {
      place = await locate();
      showPlace();
    } catch (error) {
      $("locate-status").textContent = t("locate_failed", { message: error.message || error.code });
    }
  });
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("language").addEventListener("click", switchLanguage);
  window.addEventListener("online", showNet);
  window.addEventListener("offline", showNet);
  showNet();
  newCase();

  if ("serviceWorker" in navigator) {
    // A new version's worker takes over at once (skipWaiting): said when it replaces one.
    const before = navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (before) notice(t("updated"), "info");
    });
    navigator.serviceWorker.register(config.sw, { scope: config.scope }).catch((error) => console.warn(error));
  }
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().then((granted) => {
      if (!granted) $("storage-note").textContent = t("storage_not_persisted");
    });
  }
  const auth = await store.getMeta("auth");
  if (auth && auth.ended) {
    $("si-username").value = auth.username;
    $("sign-in-error").replaceChildren(el("p", { class: "msg msg-warning", text: t("sign_in_again") }));
  }
  await render();
  document.body.dataset.ready = "true";
  await sync.start();
  if (auth && !auth.ended) sync.refresh();
}

function registerBackgroundSync() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync && registration.sync.register("pingantong-send"))
    .catch(() => undefined);
}

/** The other language: the workbench's language cookie, then the shell cached anew. */
async function switchLanguage() {
  const next = config.language === "en" ? "zh-hans" : "en";
  document.cookie = `django_language=${next}; path=/; max-age=31536000; samesite=lax`;
  try {
    const response = await fetch(config.scope, { cache: "reload", credentials: "same-origin" });
    if (response.ok && "caches" in window) await (await caches.open(config.cache)).put(config.scope, response);
  } catch {
    // offline: the page keeps its language until the network is back
  }
  location.reload();
}

start();
