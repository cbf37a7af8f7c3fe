// The chat page: renders messages and what chat-core.js makes of the socket's frames (live
// changes strictly in seq order, catching up with `sync` after a reconnect or a gap, read
// marks), sends through the outbox, and handles history paging, typing, reactions, replies,
// edits, deletes and attachments.
import { socket } from "./socket.js";
import { outbox } from "./outbox.js";
import { createChatCore } from "./chat-core.js";
import { avatar, csrfToken, el, fill, formatDateTime, formatSize, formatTime, icon, linkify } from "./chat-render.js";
import { circleNode, voiceNode } from "./media-player.js";
import { formatDuration, initRecorders } from "./media-recorder.js";
import { initCall } from "./call.js";
import { initStickers, stickerNode } from "./media-stickers.js";

const $ = (selector, root = document) => root.querySelector(selector);
const state = JSON.parse($("#chat-state").textContent);
const S = JSON.parse($("#chat-strings").textContent);
const chatId = state.chat.id;
const me = state.me;
const isGroup = state.chat.kind === "group";
const RANK = { owner: 3, admin: 2, member: 1 };

let hasMore = state.has_more;
let active = !state.blocked;
let loadingOlder = false;
const core = createChatCore({
  chatId, me, isGroup, role: state.role, title: state.chat.title, avatar: state.chat.avatar,
  lastSeq: state.last_seq, myRead: state.last_read_seq, read: state.read, members: state.members,
  messages: state.messages, isOpen: () => socket.isOpen,
});
const typingTimers = new Map();
const typingNames = new Map(); // names from `typing` frames, for people not in core.members yet

const log = $("#chat-log");
const list = $("#messages");
const olderButton = $("#chat-older");
const form = $("#composer");
const textarea = $("#composer-text");
const fileInput = $("#composer-file");
const fileList = $("#composer-files");
const banner = $("#composer-banner");
const bannerText = $("#composer-banner-text");
const notice = $("#chat-notice");
const picker = $("#reaction-picker");
const typingLine = $("#chat-typing");

// Frames of user actions carry a ref, so a refusal (`error` with that ref) can be shown.
const ACTION_REF = `chat-${chatId}`;
let flashTimer = null;
function act(frame) { socket.send({ ...frame, ref: ACTION_REF }); }
socket.on("error", (frame) => {
  if (frame.ref !== ACTION_REF || !active) return;
  notice.textContent = frame.detail;
  notice.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { if (active) notice.hidden = true; }, 6000);
});

// -- rendering --------------------------------------------------------------------------------
function liFor(id) { return list.querySelector(`li[data-id="${id}"]`); }

function statusNode(message) {
  const node = el("span", { class: "msg-status" });
  const readers = core.readersOf(message);
  if (readers > 0) {
    node.dataset.status = "read";
    const label = isGroup ? fill(S.read_by, { n: readers }) : S.read;
    node.append(icon("check-check"), el("span", { class: isGroup ? "" : "visually-hidden" }, label));
    node.title = label;
  } else {
    node.dataset.status = "sent";
    node.title = S.sent;
    node.append(icon("check"), el("span", { class: "visually-hidden" }, S.sent));
  }
  return node;
}

function pendingStatusNode(entry) {
  if (entry.status === "failed") {
    return el("span", { class: "msg-status msg-failed", dataset: { status: "failed" }, role: "alert" },
      `${S.failed}${entry.error ? ` (${entry.error})` : ""} `,
      el("button", { type: "button", class: "link-button", onclick: () => outbox.retry(entry.client_id) }, S.retry),
      " · ",
      el("button", { type: "button", class: "link-button", onclick: () => outbox.discard(entry.client_id) }, S.discard));
  }
  return el("span", { class: "msg-status", dataset: { status: "queued" }, title: S.queued },
    icon("clock"), el("span", { class: "visually-hidden" }, S.queued));
}

function attachmentNodes(attachments) {
  if (!attachments?.length) return null;
  const images = attachments.filter((a) => a.kind === "image");
  const others = attachments.filter((a) => a.kind !== "image");
  return el("div", { class: "msg-attachments" },
    images.length ? el("div", { class: `msg-images msg-images-${Math.min(images.length, 3)}` },
      images.map((a) => el("a", { href: a.url, target: "_blank", class: "msg-image", title: a.name },
        el("img", { src: a.thumb || a.url, alt: a.name, loading: "lazy", width: a.width, height: a.height })))) : null,
    others.map((a) => {
      if (a.kind === "voice") return voiceNode(a, S);
      if (a.kind === "circle") return circleNode(a, S);
      if (a.kind === "audio") {
        return el("figure", { class: "msg-media" }, el("audio", { controls: true, preload: "none", src: a.url }),
          el("figcaption", {}, el("a", { href: `${a.url}?download=1`, download: a.name }, a.name)));
      }
      if (a.kind === "video") {
        return el("figure", { class: "msg-media" }, el("video", { controls: true, preload: "metadata", src: a.url }),
          el("figcaption", {}, el("a", { href: `${a.url}?download=1`, download: a.name }, a.name)));
      }
      return el("a", { class: "file-card", href: `${a.url}?download=1`, download: a.name },
        el("span", { class: "file-icon" }, icon("file")),
        el("span", { class: "file-name" }, a.name),
        el("span", { class: "file-size muted" }, formatSize(a.size)));
    }));
}

function reactionNodes(message) {
  const wrap = el("div", { class: "msg-reactions" });
  for (const reaction of message.reactions || []) {
    const mine = reaction.user_ids.includes(me);
    wrap.append(el("button", {
      type: "button", class: "reaction-chip", "aria-pressed": mine ? "true" : "false",
      "aria-label": `${reaction.emoji} ${reaction.count}`, dataset: { emoji: reaction.emoji },
      onclick: () => toggleReaction(message.id, reaction.emoji),
    }, el("span", { "aria-hidden": "true" }, reaction.emoji), el("span", { class: "reaction-count" }, reaction.count),
    el("span", { class: "reactors", "aria-hidden": "true" }, reaction.users.slice(0, 3).map((u) => avatar(u)))));
  }
  return wrap;
}

function quoteNode(reply) {
  if (!reply) return null;
  const who = reply.sender ? (reply.sender.id === me ? S.you : reply.sender.display_name) : S.deleted_user;
  const fileOnly = !reply.deleted && !reply.text && reply.attachments;
  const text = reply.deleted ? S.deleted : (reply.text || (fileOnly ? S.file : ""));
  return el("blockquote", { class: "msg-quote", tabindex: "0", dataset: { target: reply.id },
    onclick: () => jumpTo(reply.id), onkeydown: (e) => { if (e.key === "Enter") jumpTo(reply.id); } },
  el("span", { class: "msg-quote-author" }, who),
  el("span", { class: "msg-quote-text" }, fileOnly ? icon("paperclip") : null, text));
}

function canDeleteForAll(message) {
  const role = core.role;
  if (!message.sender) return isGroup && RANK[role] > RANK.member;
  if (message.sender.id === me) return true;
  const senderRole = core.members.get(message.sender.id)?.role || "member";
  return isGroup && RANK[role] >= RANK.admin && RANK[role] > RANK[senderRole];
}

function reportUrl(messageId) {
  const back = encodeURIComponent(location.pathname);
  return `${state.urls.report.replace("/0/", `/${messageId}/`)}?next=${back}`;
}

// The menu opens below its message, or above it when the log's visible part has no room below
// (the newest message sits right above the composer); if neither side fits, the log scrolls.
function placeMenu(menu) {
  const box = menu.querySelector(".msg-menu-list");
  menu.classList.remove("msg-menu-up");
  const area = log.getBoundingClientRect();
  const below = box.getBoundingClientRect();
  if (below.bottom <= area.bottom) return;
  const row = menu.closest("li").getBoundingClientRect();
  const roomAbove = row.top - area.top;
  if (roomAbove >= below.height || roomAbove > area.bottom - row.bottom) menu.classList.add("msg-menu-up");
  const placed = box.getBoundingClientRect();
  if (placed.top < area.top || placed.bottom > area.bottom) box.scrollIntoView({ block: "nearest" });
}

// Arrow keys move between the menu's items, Escape closes it and returns to its button.
function menuKeys(menu, event) {
  const items = [...menu.querySelectorAll(".msg-menu-list button")];
  const at = items.indexOf(document.activeElement);
  let next = null;
  if (event.key === "ArrowDown") next = items[(at + 1) % items.length];
  else if (event.key === "ArrowUp") next = items[(at - 1 + items.length) % items.length];
  else if (event.key === "Home") next = items[0];
  else if (event.key === "End") next = items[items.length - 1];
  else if (event.key === "Escape" && menu.open) {
    event.preventDefault();
    menu.open = false;
    menu.querySelector("summary").focus();
    return;
  }
  if (next) { event.preventDefault(); next.focus(); }
}

function menuNode(message) {
  const menu = el("details", { class: "msg-menu", onkeydown: (event) => menuKeys(menu, event) },
    el("summary", { "aria-label": S.actions, title: S.actions }, icon("ellipsis")),
    el("div", { class: "msg-menu-list" }));
  menu.addEventListener("toggle", () => {
    if (!menu.open) return;
    for (const other of list.querySelectorAll("details.msg-menu[open]")) if (other !== menu) other.open = false;
    const current = core.messages.get(message.id) || message;
    const items = [];
    if (active) {
      items.push(["react", S.react, (button) => openPicker(current.id, button)]);
      items.push(["reply", S.reply, () => startReply(current)]);
      if (current.sender?.id === me) items.push(["edit", S.edit, () => startEdit(current)]);
    }
    items.push(["delete-me", S.delete_me, () => act({ type: "message.delete", message: current.id, for: "me" })]);
    if (active && canDeleteForAll(current)) {
      items.push(["delete-all", S.delete_all, () => act({ type: "message.delete", message: current.id, for: "all" })]);
    }
    if (current.sender && current.sender.id !== me && !current.deleted) {
      items.push(["report", S.report, () => { location.href = reportUrl(current.id); }]);
    }
    const box = menu.querySelector(".msg-menu-list");
    box.replaceChildren(...items.map(([key, label, action]) => el("button", {
      type: "button", class: "link-button", dataset: { action: key },
      onclick: (event) => { menu.open = false; action(event.currentTarget.closest("li")); },
    }, label)));
    placeMenu(menu);
    box.querySelector("button")?.focus({ preventScroll: true });
  });
  return menu;
}

// A group's system line (join, leave, removal, rename, role change): stored as data, put into
// words here in the reader's language.
const SYSTEM_TEXT = {
  added: () => S.system_added, removed: () => S.system_removed, left: () => S.system_left,
  renamed: () => S.system_renamed,
  role: (line) => (line.role === "owner" ? S.system_owner : line.role === "admin" ? S.system_admin : S.system_member),
};

function systemNode(message) {
  const line = message.system;
  const template = (SYSTEM_TEXT[line.kind] || (() => ""))(line);
  const text = fill(template, {
    actor: line.actor ? line.actor.name : S.deleted_user,
    target: line.target ? line.target.name : S.deleted_user,
    title: line.title || "",
  });
  return el("li", {
    class: "msg msg-system", id: `m-${message.id}`, role: "note",
    dataset: { id: message.id, seq: message.seq, clientId: "", system: line.kind },
  }, el("p", { class: "msg-system-text" }, text,
    el("time", { datetime: message.created_at, title: formatDateTime(message.created_at) }, ` ${formatTime(message.created_at)}`)));
}

function messageNode(message) {
  if (message.system && !message.deleted) return systemNode(message);
  const mine = message.sender?.id === me;
  const li = el("li", {
    class: `msg${mine ? " msg-mine" : ""}${message.deleted ? " msg-deleted" : ""}`,
    id: `m-${message.id}`, dataset: { id: message.id, seq: message.seq, clientId: message.client_id || "" },
  });
  const bubble = el("div", { class: "msg-bubble" });
  if (isGroup && !mine) {
    bubble.append(el("div", { class: "msg-author" }, message.sender ? message.sender.display_name : S.deleted_user));
  }
  if (message.deleted) {
    bubble.append(el("p", { class: "msg-text msg-tombstone" }, S.deleted));
  } else if (message.call) {
    li.classList.add("msg-call");
    const { state: callState, duration } = message.call;
    const label = callState === "answered" ? fill(S.call_answered, { time: formatDuration(duration) })
      : callState === "declined" ? S.call_declined : S.call_missed;
    bubble.append(el("p", { class: "msg-text call-record", dataset: { state: callState } },
      icon(callState === "answered" ? "phone" : "phone-missed"), " ", label));
  } else if (message.sticker) {
    li.classList.add("msg-sticker");
    bubble.append(quoteNode(message.reply_to) || "", stickerNode(message.sticker));
  } else {
    bubble.append(quoteNode(message.reply_to) || "", attachmentNodes(message.attachments) || "");
    if (message.text) bubble.append(el("p", { class: "msg-text" }, linkify(message.text)));
  }
  const meta = el("div", { class: "msg-meta" },
    el("time", { datetime: message.created_at, title: formatDateTime(message.created_at) }, formatTime(message.created_at)));
  if (message.edited_at && !message.deleted) {
    meta.append(el("button", { type: "button", class: "link-button msg-edited", onclick: () => showEdits(message.id) }, S.edited));
  }
  if (mine && !message.deleted) meta.append(statusNode(message));
  bubble.append(meta);
  if (!message.deleted) bubble.append(reactionNodes(message));
  li.append(bubble);
  if (!message.deleted) li.append(menuNode(message));
  return li;
}

function pendingNode(entry) {
  const li = el("li", { class: "msg msg-mine msg-pending", dataset: { clientId: entry.client_id, pending: "1" } });
  const bubble = el("div", { class: "msg-bubble" }, quoteNode(entry.reply) || "",
    entry.sticker ? stickerNode(entry.sticker) : attachmentNodes(entry.attachments) || "");
  if (entry.sticker) li.classList.add("msg-sticker");
  if (entry.text) bubble.append(el("p", { class: "msg-text" }, linkify(entry.text)));
  bubble.append(el("div", { class: "msg-meta" },
    el("time", { datetime: entry.created_at }, formatTime(entry.created_at)), pendingStatusNode(entry)));
  li.append(bubble);
  return li;
}

function atBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 80; }
function scrollToBottom() { log.scrollTop = log.scrollHeight; pinned = true; }
// While the reader is at the newest message, keep it in view as images and fonts load, and as
// the log itself shrinks (the phone composer's tools unfold, a reply banner shows).
let pinned = true;
const keepPinned = new ResizeObserver(() => { if (pinned) log.scrollTop = log.scrollHeight; });
keepPinned.observe(list);
keepPinned.observe(log);

// Insert or replace a message (from an ack, a live frame or sync) in seq order; `known` says
// the core had it before (shown, or removed from the page).
function upsertMessage(message, known) {
  const node = messageNode(message);
  const existing = liFor(message.id)
    || (message.client_id && list.querySelector(`li[data-pending][data-client-id="${message.client_id}"]`));
  if (existing) { existing.replaceWith(node); return node; }
  if (known) return node;
  const stick = atBottom() || message.sender?.id === me;
  const after = [...list.querySelectorAll("li[data-seq]")].find((li) => Number(li.dataset.seq) > message.seq);
  const firstPending = list.querySelector("li[data-pending]");
  list.insertBefore(node, after || firstPending || null);
  if (stick && !after) scrollToBottom();
  return node;
}

function refreshStatuses() {
  for (const li of list.querySelectorAll("li.msg-mine[data-id]")) {
    const message = core.messages.get(Number(li.dataset.id));
    const old = li.querySelector(".msg-status");
    if (message && old) old.replaceWith(statusNode(message));
  }
}

function endChat(text) {
  active = false;
  form.hidden = true;
  banner.hidden = true;
  notice.textContent = text;
  notice.hidden = false;
  picker.hidden = true;
}

// -- carrying out what the core decided ------------------------------------------------------
const ENDED = { removed: S.removed, left: S.left, chat_deleted: S.chat_deleted, blocked: S.dialog_blocked };

function run(effects) {
  for (const effect of effects) {
    switch (effect.type) {
      case "send":
        socket.send(effect.frame);
        break;
      case "message":
        upsertMessage(effect.message, effect.known);
        break;
      case "message.removed":
        liFor(effect.id)?.remove();
        break;
      case "typing.stop":
        clearTyping(effect.user);
        break;
      case "chat.updated": {
        $("#chat-title").textContent = effect.title;
        document.title = document.title.replace(/^[^·]*/, `${effect.title} `);
        // A group's first photo replaces the initial; a later one replaces the picture.
        const holder = $(".chat-header-avatar");
        let img = $("#chat-avatar");
        if (isGroup && holder && effect.avatar) {
          if (!img) { img = el("img", { class: "avatar avatar-sm", id: "chat-avatar", alt: "" }); holder.replaceChildren(img); }
          img.src = effect.avatar;
        }
        break;
      }
      case "members":
        updateMemberCount();
        break;
      case "statuses":
        refreshStatuses();
        break;
      case "caught_up":
        refreshStatuses();
        markRead();
        break;
      case "ended":
        endChat(ENDED[effect.reason]);
        break;
      default:
        break;
    }
  }
}

function showPresence(online) {
  if (!isGroup) $("#chat-status").textContent = online ? S.online : "";
}

socket.on("presence", (frame) => { if (frame.user === state.partner) showPresence(frame.online); });

function updateMemberCount() {
  if (isGroup) $("#chat-status").textContent = fill(S.members, { n: core.members.size });
}

for (const type of ["message.new", "message.updated", "message.deleted", "reaction.updated",
  "chat.updated", "member.added", "member.removed", "member.updated", "sync.result", "read",
  "chat.deleted"]) {
  socket.on(type, (frame) => run(core.receive(frame)));
}
socket.on("open", () => run(core.connected()));
socket.on("close", () => run(core.disconnected()));

// -- typing -----------------------------------------------------------------------------------
function renderTyping() {
  const names = [...typingTimers.keys()].map((id) => core.members.get(id)?.display_name || typingNames.get(id)).filter(Boolean);
  typingLine.textContent = names.length === 0 ? "" : names.length === 1 ? fill(S.typing, { name: names[0] }) : S.typing_many;
  $("#chat-status").hidden = names.length > 0;
}

function clearTyping(userId) {
  clearTimeout(typingTimers.get(userId));
  if (typingTimers.delete(userId)) renderTyping();
}

socket.on("typing", (frame) => {
  if (frame.chat !== chatId || frame.user === me) return;
  if (!core.members.has(frame.user)) typingNames.set(frame.user, frame.display_name);
  clearTimeout(typingTimers.get(frame.user));
  typingTimers.set(frame.user, setTimeout(() => clearTyping(frame.user), 5000));
  renderTyping();
});

let typingSentAt = 0;
textarea.addEventListener("input", () => {
  autosize();
  if (!active || editing || !textarea.value.trim()) return;
  const now = Date.now();
  if (now - typingSentAt > 3000 && socket.isOpen) { typingSentAt = now; socket.send({ type: "typing", chat: chatId }); }
});

function autosize() {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
}

// -- read marks -------------------------------------------------------------------------------
let readTimer = null;
function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    if (!active && !state.blocked) return;
    if (document.visibilityState !== "visible" || !atBottom() || !socket.isOpen) return;
    const frame = core.takeReadMark();
    if (frame) socket.send(frame);
  }, 250);
}
document.addEventListener("visibilitychange", markRead);

// -- history ----------------------------------------------------------------------------------
async function loadOlder() {
  if (loadingOlder || !hasMore) return;
  const first = list.querySelector("li[data-seq]");
  if (!first) return;
  loadingOlder = true;
  try {
    const response = await fetch(`${state.urls.history}?before=${first.dataset.seq}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const page = await response.json();
    const before = log.scrollHeight;
    list.prepend(...core.addOlder(page.messages).map(messageNode));
    log.scrollTop += log.scrollHeight - before;
    hasMore = page.has_more;
    olderButton.hidden = !hasMore;
  } finally {
    loadingOlder = false;
  }
}

log.addEventListener("scroll", () => {
  pinned = atBottom();
  if (log.scrollTop < 200) loadOlder();
  if (atBottom()) markRead();
}, { passive: true });
olderButton.addEventListener("click", loadOlder);

function jumpTo(messageId) {
  const target = liFor(messageId);
  if (!target) return;
  target.scrollIntoView({ block: "center", behavior: "smooth" });
  target.classList.add("msg-flash");
  setTimeout(() => target.classList.remove("msg-flash"), 1500);
}

async function showEdits(messageId) {
  const dialog = $("#edit-history");
  const box = $("#edit-history-list");
  const response = await fetch(state.urls.edits.replace("/0/", `/${messageId}/`), { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const data = await response.json();
  const versions = [...data.edits, { text: data.text, edited_at: data.edited_at }];
  box.replaceChildren(...versions.map((v) => el("li", {},
    el("time", { datetime: v.edited_at }, formatDateTime(v.edited_at)), el("p", {}, linkify(v.text || "")))));
  dialog.showModal();
}

// -- reactions --------------------------------------------------------------------------------
let pickerFor = null;
let pickerReturn = null;

function toggleReaction(messageId, emoji) {
  if (!active) return;
  const message = core.messages.get(messageId);
  const mine = message?.reactions?.find((r) => r.emoji === emoji)?.user_ids.includes(me);
  act({ type: mine ? "reaction.remove" : "reaction.add", message: messageId, emoji });
}

function openPicker(messageId, li) {
  pickerFor = messageId;
  pickerReturn = li?.querySelector("summary");
  picker.hidden = false;
  const rect = li.getBoundingClientRect();
  const host = $("#chat").getBoundingClientRect();
  picker.style.top = `${Math.max(8, Math.min(rect.top - host.top, host.height - picker.offsetHeight - 8))}px`;
  picker.querySelector("button")?.focus();
}

function closePicker() {
  picker.hidden = true;
  pickerFor = null;
  pickerReturn?.focus();
}

picker.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-emoji]");
  if (!button || pickerFor === null) return;
  toggleReaction(pickerFor, button.dataset.emoji);
  closePicker();
});
document.addEventListener("keydown", (event) => { if (event.key === "Escape" && !picker.hidden) closePicker(); });
document.addEventListener("click", (event) => {
  if (!picker.hidden && !picker.contains(event.target) && !event.target.closest(".msg-menu")) closePicker();
});

// -- composer: reply, edit, files, send -------------------------------------------------------
let replyTo = null;
let editing = null;
let uploads = []; // {key, file, status: "uploading"|"done"|"error", payload, error}

function showBanner(text, iconName = null) {
  bannerText.replaceChildren(...(iconName ? [icon(iconName), " "] : []), text);
  banner.hidden = false;
}
function resetComposer() {
  replyTo = null;
  editing = null;
  banner.hidden = true;
  textarea.value = "";
  autosize();
}

function startReply(message) {
  editing = null;
  replyTo = message;
  const who = message.sender?.id === me ? S.you : (message.sender?.display_name || S.deleted_user);
  const fileOnly = !message.text;
  showBanner(`${fill(S.replying_to, { name: who })}: ${(message.text || S.file).slice(0, 80)}`, fileOnly ? "paperclip" : null);
  textarea.focus();
}

function startEdit(message) {
  replyTo = null;
  editing = message;
  showBanner(S.editing);
  textarea.value = message.text;
  autosize();
  textarea.focus();
}

// On a phone the attach, sticker and recording buttons fold behind one "more" button.
const moreButton = $("#composer-more");
moreButton.addEventListener("click", () => {
  const open = moreButton.getAttribute("aria-expanded") !== "true";
  moreButton.setAttribute("aria-expanded", String(open));
  form.classList.toggle("composer-tools-open", open);
});

$("#composer-banner-cancel").addEventListener("click", () => { resetComposer(); textarea.focus(); });

function renderUploads() {
  fileList.replaceChildren(...uploads.map((u) => el("li", { class: `composer-file composer-file-${u.status}` },
    el("span", { class: "composer-file-name" }, u.file.name),
    el("span", { class: "muted" }, u.status === "uploading" ? S.uploading : u.status === "error" ? u.error : formatSize(u.file.size)),
    el("button", { type: "button", class: "link-button", "aria-label": `${S.remove_file}: ${u.file.name}`,
      onclick: () => { uploads = uploads.filter((x) => x !== u); renderUploads(); } }, icon("x")))));
  $("#composer-send").disabled = uploads.some((u) => u.status === "uploading");
}

async function upload(item) {
  const body = new FormData();
  body.append("file", item.file);
  try {
    const response = await fetch(state.urls.upload, { method: "POST", body, headers: { "X-CSRFToken": csrfToken() } });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || fill(S.upload_failed, { name: item.file.name }));
    item.status = "done";
    item.payload = data;
  } catch (err) {
    item.status = "error";
    item.error = err.message || fill(S.upload_failed, { name: item.file.name });
  }
  renderUploads();
}

fileInput.addEventListener("change", () => {
  for (const file of fileInput.files) {
    const item = { file, status: "uploading" };
    if (file.size > state.upload_max_bytes) {
      Object.assign(item, { status: "error", error: fill(S.too_large, { name: file.name, max: Math.floor(state.upload_max_bytes / 1048576) }) });
    }
    uploads.push(item);
    if (item.status === "uploading") upload(item);
  }
  fileInput.value = "";
  renderUploads();
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!active) return;
  const text = textarea.value.trim();
  if (editing) {
    if (text !== editing.text && (text || editing.attachments?.length)) {
      act({ type: "message.edit", message: editing.id, text });
    }
    resetComposer();
    return;
  }
  if (uploads.some((u) => u.status === "uploading")) return;
  const attachments = uploads.filter((u) => u.status === "done").map((u) => u.payload);
  if (!text && !attachments.length) return;
  uploads = [];
  renderUploads();
  sendMessage({ text, attachments });
  textarea.focus();
});

// Queue a message (replying to the message chosen, if any) and show it as pending.
function sendMessage({ text = "", attachments = [], sticker = null }) {
  const reply = replyTo ? { id: replyTo.id, seq: replyTo.seq, sender: replyTo.sender, text: (replyTo.text || "").slice(0, 200), deleted: false, attachments: replyTo.attachments?.length || 0 } : null;
  const entry = outbox.add({ chat: chatId, text, replyTo: replyTo?.id || null, attachments, reply, sticker });
  resetComposer();
  list.append(pendingNode(entry));
  scrollToBottom();
}

initCall({ chatId, partnerName: $("#chat-title").textContent.trim(), iceServers: state.ice_servers, strings: S });
initStickers({ onPick: (sticker) => { if (active) sendMessage({ sticker }); } });
initRecorders({ uploadUrl: state.urls.upload, strings: S, onRecorded: (attachment) => { if (active) sendMessage({ attachments: [attachment] }); } });

textarea.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  } else if (event.key === "Escape" && (editing || replyTo)) {
    resetComposer();
  }
});

outbox.on((event) => {
  const pending = list.querySelector(`li[data-pending][data-client-id="${event.clientId}"]`);
  if (event.type === "acked") run(core.acked(event.message));
  else if (event.type === "failed" && pending) pending.replaceWith(pendingNode(event.entry));
  else if (event.type === "queued" && pending) pending.replaceWith(pendingNode(event.entry));
  else if (event.type === "discarded") pending?.remove();
});

// -- start ------------------------------------------------------------------------------------
for (const message of state.messages) list.append(messageNode(message));
for (const entry of outbox.list(chatId)) {
  if (!list.querySelector(`li[data-client-id="${entry.client_id}"]`)) list.append(pendingNode(entry));
}
olderButton.hidden = !hasMore;
showPresence(state.partner_online);
scrollToBottom();
outbox.start();
run(core.catchUp());
markRead();
document.body.dataset.chatReady = "1";
