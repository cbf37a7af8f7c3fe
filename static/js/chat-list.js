// /chats/: instant filtering, live previews and unread counts, and a fresh list after changes
// that reorder or add chats (fetched as a server-rendered fragment, so there is one template).
import { socket } from "./socket.js";

const rows = document.getElementById("chat-rows");
const search = document.getElementById("chats-q");
const me = Number(document.body.dataset.userId);
let refreshTimer = null;

function filter() {
  const needle = search.value.trim().toLowerCase();
  for (const row of rows.querySelectorAll("li[data-chat-id]")) {
    row.hidden = needle !== "" && !row.dataset.title.includes(needle);
  }
}

function refresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const q = encodeURIComponent(search.value.trim());
    const response = await fetch(`${rows.dataset.partialUrl}&q=${q}`, { headers: { Accept: "text/html" } });
    if (response.ok) { rows.innerHTML = await response.text(); filter(); }
  }, 250);
}

function rowOf(chatId) { return rows.querySelector(`li[data-chat-id="${chatId}"]`); }

search.addEventListener("input", filter);

socket.on("message.new", (frame) => {
  const message = frame.message;
  if (message.system) return; // a group's system line is no news: no preview, no unread
  const row = rowOf(frame.chat);
  if (!row) { refresh(); return; }
  const preview = row.querySelector(".chat-row-preview");
  const author = message.sender?.id === me ? rows.dataset.you : (message.sender?.display_name || "");
  preview.textContent = `${author ? `${author}: ` : ""}${message.text || (message.call ? (message.call.state === "answered" ? "📞" : "📵") : message.sticker ? "🙂" : message.attachments?.[0]?.kind === "voice" ? "🎤" : message.attachments?.[0]?.kind === "circle" ? "📹" : "📎")}`.slice(0, 90);
  const time = row.querySelector(".chat-row-time");
  if (time) time.textContent = new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (message.sender?.id !== me) {
    const badge = row.querySelector(".chat-row-unread-count");
    badge.textContent = String(Number(badge.textContent || 0) + 1);
    badge.hidden = false;
    row.classList.add("chat-row-unread");
  }
  row.parentElement.prepend(row);
});

socket.on("read", (frame) => { if (frame.user === me) refresh(); });
for (const type of ["chat.updated", "member.added", "message.deleted", "chat.deleted", "open"]) socket.on(type, refresh);
socket.on("member.removed", (frame) => { if (frame.user === me) refresh(); });
socket.on("presence", (frame) => {
  for (const dot of rows.querySelectorAll(`[data-presence-user="${frame.user}"]`)) dot.hidden = !frame.online;
});
filter();
