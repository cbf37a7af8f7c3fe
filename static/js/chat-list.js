// /chats/: instant filtering, live previews and unread counts, and a fresh list after changes
// that reorder or add chats (fetched as a server-rendered fragment, so there is one template).
import { socket } from "./socket.js";
import { fill, icon } from "./chat-render.js";

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

// The words of a group's system line, as the chat page puts them (static/js/chat.js).
function systemText(line, labels) {
  const key = line.kind === "role" ? (line.role === "owner" ? "systemOwner" : line.role === "admin" ? "systemAdmin" : "systemMember")
    : `system${line.kind.charAt(0).toUpperCase()}${line.kind.slice(1)}`;
  return fill(labels[key] || "", {
    actor: line.actor ? line.actor.name : labels.deletedUser,
    target: line.target ? line.target.name : labels.deletedUser,
    title: line.title || "",
  });
}

// A message without text is previewed as an icon and its kind, as _chat_rows.html does.
function textlessPreview(message, labels) {
  const kind = message.attachments?.[0]?.kind;
  const [name, label] = message.call
    ? (message.call.state === "answered" ? ["phone", labels.call] : ["phone-missed", message.call.state === "declined" ? labels.callDeclined : labels.callMissed])
    : message.sticker ? ["sticker", labels.sticker]
    : kind === "voice" ? ["mic", labels.voice] : kind === "circle" ? ["video", labels.video] : ["paperclip", labels.file];
  return [icon(name), ` ${label}`];
}

socket.on("message.new", (frame) => {
  const message = frame.message;
  const row = rowOf(frame.chat);
  if (!row) { if (!message.system) refresh(); return; }
  const labels = row.parentElement.dataset;
  const preview = row.querySelector(".chat-row-preview");
  if (message.system) {
    // A group's system line is the chat's last line, but no news: no unread, no move up. The
    // server's list (chat.last_message) still previews the last message after a reload.
    preview.textContent = systemText(message.system, labels);
    return;
  }
  const author = message.sender?.id === me ? rows.dataset.you : (message.sender?.display_name || "");
  preview.replaceChildren();
  if (author) preview.append(Object.assign(document.createElement("span"), { className: "chat-row-author", textContent: `${author}:` }), " ");
  if (message.call || message.sticker || !message.text) preview.append(...textlessPreview(message, labels));
  else preview.append(message.text.slice(0, 80));
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
