// The outbox: every message the user sends is kept in localStorage under its client_id and
// (re)sent until the server answers `message.ack`. Resending is safe: the server stores one
// message per client_id and answers a repeat with the original. A message stays "queued" here;
// once acknowledged it leaves the outbox and the page shows it as sent, later as read.
// The transitions are in chat-core.js; this module keeps the storage, the socket and the timer.
import { socket } from "./socket.js";
import {
  outboxAcked, outboxDiscard, outboxDue, outboxEntry, outboxFrame, outboxKept, outboxRefused,
  outboxRetry, outboxSent,
} from "./chat-core.js";

const CHECK_EVERY_MS = 3000;

const userId = document.body.dataset.userId || "anon";
const KEY = `beseda.outbox.v1.${userId}`;
const listeners = new Set();
let started = false;

function load() {
  let entries;
  try { entries = JSON.parse(localStorage.getItem(KEY) || "[]"); } catch { return []; }
  return outboxKept(entries, Date.now());
}

function save(entries) {
  try { localStorage.setItem(KEY, JSON.stringify(entries)); } catch { /* storage full or off */ }
}

function notify(event) {
  for (const listener of listeners) {
    try { listener(event); } catch (err) { console.error(err); }
  }
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Sends the entries if the socket is open; returns the entries with their new `sent_at`.
function transmit(entries, due) {
  if (!socket.isOpen || !due.length) return entries;
  for (const entry of due) socket.send(outboxFrame(entry));
  return outboxSent(entries, due.map((entry) => entry.client_id), Date.now());
}

function resendDue(force = false) {
  if (!socket.isOpen) return;
  const entries = load();
  const due = outboxDue(entries, Date.now(), force);
  if (due.length) save(transmit(entries, due));
}

export const outbox = {
  // Idempotent: wires the outbox to the socket once per page.
  start() {
    if (started) return;
    started = true;
    socket.on("open", () => resendDue(true));
    socket.on("message.ack", (frame) => {
      const { entries, entry } = outboxAcked(load(), frame.client_id);
      save(entries);
      notify({ type: "acked", clientId: frame.client_id, entry, message: frame.message });
    });
    socket.on("error", (frame) => {
      if (typeof frame.ref !== "string") return;
      const { entries, entry, final } = outboxRefused(load(), frame);
      if (!entry || !final) return;
      save(entries);
      notify({ type: "failed", clientId: entry.client_id, entry });
    });
    setInterval(() => resendDue(false), CHECK_EVERY_MS);
    if (socket.isOpen) resendDue(true);
  },
  // Queue a message; returns the entry (status "queued") and sends it if the socket is open.
  add({ chat, text, replyTo = null, attachments = [], reply = null, sticker = null }) {
    const created = outboxEntry({ clientId: newClientId(), now: Date.now(), chat, text, replyTo, attachments, reply, sticker });
    const entries = transmit([...load(), created], [created]);
    save(entries);
    const entry = entries.find((e) => e.client_id === created.client_id);
    notify({ type: "queued", clientId: entry.client_id, entry });
    return entry;
  },
  list(chat) { return load().filter((e) => chat === undefined || e.chat === chat); },
  retry(clientId) {
    const { entries, entry } = outboxRetry(load(), clientId);
    if (!entry) return;
    const sent = transmit(entries, [entry]);
    save(sent);
    notify({ type: "queued", clientId, entry: sent.find((e) => e.client_id === clientId) });
  },
  discard(clientId) {
    save(outboxDiscard(load(), clientId));
    notify({ type: "discarded", clientId });
  },
  on(listener) { listeners.add(listener); return () => listeners.delete(listener); },
};
