// The outbox: every message the user sends is kept in localStorage under its client_id and
// (re)sent until the server answers `message.ack`. Resending is safe: the server stores one
// message per client_id and answers a repeat with the original. A message stays "queued" here;
// once acknowledged it leaves the outbox and the page shows it as sent, later as read.
import { socket } from "./socket.js";

const RESEND_AFTER_MS = 8000;
const FORGET_AFTER_MS = 7 * 24 * 3600 * 1000; // failed or abandoned entries
const CHECK_EVERY_MS = 3000;
// Errors that will not go away by sending again: the entry is marked failed.
const FINAL_ERRORS = new Set(["invalid", "not_found", "blocked", "forbidden", "too_large"]);

const userId = document.body.dataset.userId || "anon";
const KEY = `beseda.outbox.v1.${userId}`;
const listeners = new Set();
let started = false;

function load() {
  let entries;
  try { entries = JSON.parse(localStorage.getItem(KEY) || "[]"); } catch { return []; }
  const cutoff = Date.now() - FORGET_AFTER_MS;
  return Array.isArray(entries) ? entries.filter((e) => Date.parse(e.created_at) > cutoff) : [];
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

function frameOf(entry) {
  const frame = { type: "message.send", chat: entry.chat, client_id: entry.client_id, text: entry.text };
  if (entry.reply_to) frame.reply_to = entry.reply_to;
  if (entry.attachments?.length) frame.attachments = entry.attachments.map((a) => a.id);
  if (entry.sticker) frame.sticker = entry.sticker.id;
  return frame;
}

function transmit(entry) {
  if (!socket.isOpen) return;
  entry.sent_at = Date.now();
  socket.send(frameOf(entry));
}

function update(clientId, change) {
  const entries = load();
  const entry = entries.find((e) => e.client_id === clientId);
  if (!entry) return null;
  Object.assign(entry, change);
  save(entries);
  return entry;
}

function resendDue(force = false) {
  if (!socket.isOpen) return;
  const entries = load();
  const now = Date.now();
  let changed = false;
  for (const entry of entries) {
    if (entry.status !== "queued") continue;
    if (force || !entry.sent_at || now - entry.sent_at > RESEND_AFTER_MS) { transmit(entry); changed = true; }
  }
  if (changed) save(entries);
}

export const outbox = {
  // Idempotent: wires the outbox to the socket once per page.
  start() {
    if (started) return;
    started = true;
    socket.on("open", () => resendDue(true));
    socket.on("message.ack", (frame) => {
      const entries = load();
      const entry = entries.find((e) => e.client_id === frame.client_id);
      save(entries.filter((e) => e.client_id !== frame.client_id));
      notify({ type: "acked", clientId: frame.client_id, entry, message: frame.message });
    });
    socket.on("error", (frame) => {
      if (typeof frame.ref !== "string") return;
      const final = FINAL_ERRORS.has(frame.code);
      const entry = update(frame.ref, final ? { status: "failed", error: frame.detail } : {});
      if (entry && final) notify({ type: "failed", clientId: entry.client_id, entry });
    });
    setInterval(() => resendDue(false), CHECK_EVERY_MS);
    if (socket.isOpen) resendDue(true);
  },
  // Queue a message; returns the entry (status "queued") and sends it if the socket is open.
  add({ chat, text, replyTo = null, attachments = [], reply = null, sticker = null }) {
    const entry = {
      client_id: newClientId(), chat, text, reply_to: replyTo, reply, attachments, sticker,
      created_at: new Date().toISOString(), status: "queued", sent_at: 0,
    };
    save([...load(), entry]);
    transmit(entry);
    update(entry.client_id, { sent_at: entry.sent_at });
    notify({ type: "queued", clientId: entry.client_id, entry });
    return entry;
  },
  list(chat) { return load().filter((e) => chat === undefined || e.chat === chat); },
  retry(clientId) {
    const entry = update(clientId, { status: "queued", error: null, sent_at: 0 });
    if (entry) { transmit(entry); update(clientId, { sent_at: entry.sent_at }); notify({ type: "queued", clientId, entry }); }
  },
  discard(clientId) {
    save(load().filter((e) => e.client_id !== clientId));
    notify({ type: "discarded", clientId });
  },
  on(listener) { listeners.add(listener); return () => listeners.delete(listener); },
};
