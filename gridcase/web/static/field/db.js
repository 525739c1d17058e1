// 平安通's storage on the device (IndexedDB through the vendored `idb`, static/vendor/idb).
//
// - cases: one record per case the officer started here, keyed by its client_id (a UUID made
//   on the device when the case is started); the form's fields, the queue state, what the
//   server answered (number, version, deadlines, missing elements).
// - photos: the photos made small on the phone (Blobs), keyed by "<client_id>:<sha256>", with
//   whether the server has them; index "case" lists a case's photos.
// - meta: the sign-in (token key, who), what was last read from the server and when.
//
// A case and its photos are removed only by deleteCase, which the interface calls only after
// the officer confirmed it: nothing is ever dropped silently.
import { openDB } from "../vendor/idb/idb.js";

const NAME = "pingantong";
let opened = null;

export function db() {
  if (!opened) {
    opened = openDB(NAME, 1, {
      upgrade(database) {
        database.createObjectStore("cases", { keyPath: "client_id" });
        const photos = database.createObjectStore("photos", { keyPath: "id" });
        photos.createIndex("case", "client_id");
        database.createObjectStore("meta");
      },
    });
  }
  return opened;
}

export async function getMeta(key) {
  return (await db()).get("meta", key);
}

export async function setMeta(key, value) {
  return (await db()).put("meta", value, key);
}

export async function deleteMeta(key) {
  return (await db()).delete("meta", key);
}

export async function getCase(clientId) {
  return (await db()).get("cases", clientId);
}

export async function putCase(record) {
  record.updated_at = new Date().toISOString();
  await (await db()).put("cases", record);
  return record;
}

/** Change a case in one transaction: `change` gets the stored record and edits it. */
export async function updateCase(clientId, change) {
  const tx = (await db()).transaction("cases", "readwrite");
  const record = await tx.store.get(clientId);
  if (!record) {
    await tx.done;
    return null;
  }
  change(record);
  record.updated_at = new Date().toISOString();
  await tx.store.put(record);
  await tx.done;
  return record;
}

export async function allCases() {
  const cases = await (await db()).getAll("cases");
  return cases.sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
}

export async function deleteCase(clientId) {
  const tx = (await db()).transaction(["cases", "photos"], "readwrite");
  const keys = await tx.objectStore("photos").index("case").getAllKeys(clientId);
  await Promise.all(keys.map((key) => tx.objectStore("photos").delete(key)));
  await tx.objectStore("cases").delete(clientId);
  await tx.done;
}

export async function addPhoto(clientId, photo) {
  const record = { id: `${clientId}:${photo.sha256}`, client_id: clientId, sent: false, ...photo };
  await (await db()).put("photos", record);
  return record;
}

export async function photosOf(clientId) {
  const photos = await (await db()).getAllFromIndex("photos", "case", clientId);
  return photos.sort((a, b) => (a.added_at < b.added_at ? -1 : 1));
}

export async function removePhoto(id) {
  return (await db()).delete("photos", id);
}

export async function markPhoto(id, fields) {
  const tx = (await db()).transaction("photos", "readwrite");
  const photo = await tx.store.get(id);
  if (photo) await tx.store.put({ ...photo, ...fields });
  await tx.done;
}
