// The chat client's core: the state of one open chat as frames change it, and the outbox's
// state transitions. Pure: no DOM, no socket, no storage, no timers. chat.js feeds it frames
// and socket events and carries out the effects it returns; outbox.js keeps the entries in
// browser storage and moves them with the functions at the end.
//
// State machine of a chat (docs/realtime-protocol.md, "Chats: sequence numbers and catch-up"):
// - `lastSeq` is the last change applied. A frame with the next seq is applied at once, a
//   smaller one is a duplicate and ignored, a larger one means a loss: it is kept in the buffer
//   and one `sync` from `lastSeq` is sent. While that sync is out, every seq frame is buffered.
// - `sync.result` applies its events after `lastSeq` in order and merges the read marks;
//   `complete: false` asks again from its `last_seq`; complete drains the buffer (a frame that
//   is still not next asks again); `gone` ends the chat. Every (re)connect syncs again.
// - Read marks only move forward. A member is taken to have read up to their own latest
//   message, and a new member up to the change before they joined (what the server stores),
//   so ticks are the same live, after a sync and after a reload. The reader's own mark also
//   follows other tabs (their `read` frames and sync's marks), so no stale `read` is sent.
// - `message.deleted` without seq hides a message for this user only; it stays hidden even if
//   a late frame about it arrives. Quotes follow the quoted message's edits and deletion, as a
//   reload would show them.
//
// Effects returned by the chat core, in the order to carry them out:
//   {type: "send", frame}            send this frame on the socket
//   {type: "message", message, known} insert (known false) or redraw (known true) a message
//   {type: "message.removed", id}    remove a message (deleted for me)
//   {type: "typing.stop", user}      the user sent a message: stop showing them typing
//   {type: "chat.updated", title, avatar}   a group's name changed, and its photo if avatar
//   {type: "members"}                the member list changed
//   {type: "statuses"}               read marks changed: redraw the ticks
//   {type: "caught_up"}              changes were applied in order: redraw ticks, maybe mark read
//   {type: "ended", reason}          "removed", "left", "chat_deleted" or "blocked": the chat is closed

export const REPLY_EXCERPT = 200; // chats/events.py REPLY_EXCERPT, in code points

const SEQ_FRAMES = new Set(["message.new", "message.updated", "message.deleted", "reaction.updated",
  "chat.updated", "member.added", "member.removed", "member.updated"]);

const excerpt = (text) => Array.from(text || "").slice(0, REPLY_EXCERPT).join("");

// Built from the chat page's initial state (chats/views.py chat_detail): the history it shows
// and the marks and members as of `lastSeq`. `isOpen()` says whether the socket can send now.
export function createChatCore({
  chatId, me, isGroup = false, role = "member", title = "", avatar = null, lastSeq = 0, myRead = 0,
  read = {}, members = {}, messages = [], isOpen = () => true,
}) {
  let syncing = false;
  let ended = null;
  const buffer = [];
  const readMap = new Map();
  const memberMap = new Map(Object.entries(members).map(([id, m]) => [Number(id), { ...m }]));
  const messageMap = new Map();
  const hidden = new Set();

  function raiseRead(userId, seq) {
    readMap.set(userId, Math.max(readMap.get(userId) || 0, seq));
  }

  function remember(message) {
    messageMap.set(message.id, message);
    if (message.sender) raiseRead(message.sender.id, message.seq);
  }

  for (const [id, seq] of Object.entries(read)) raiseRead(Number(id), seq);
  for (const message of messages) remember(message);

  function upsert(message, out) {
    const known = messageMap.has(message.id);
    messageMap.set(message.id, message);
    out.push({ type: "message", message, known });
  }

  // A reply's quote shows the quoted message as it is now (chats/events.py _reply_payload).
  function refreshQuotes(target, out) {
    for (const message of [...messageMap.values()]) {
      if (message.deleted || message.reply_to?.id !== target.id) continue;
      const reply = target.deleted
        ? { ...message.reply_to, text: "", deleted: true, attachments: 0 }
        : { ...message.reply_to, text: excerpt(target.text) };
      upsert({ ...message, reply_to: reply }, out);
    }
  }

  function end(reason, out) {
    ended = reason;
    out.push({ type: "ended", reason });
  }

  function apply(frame, out) {
    switch (frame.type) {
      case "message.new": {
        if (hidden.has(frame.message.id)) break;
        const senderId = frame.message.sender?.id;
        if (senderId) raiseRead(senderId, frame.seq);
        upsert(frame.message, out);
        if (senderId) out.push({ type: "typing.stop", user: senderId });
        break;
      }
      // Quotes are refreshed even when the quoted message itself is not shown (older than the
      // history loaded, or hidden for me).
      case "message.updated":
        if (messageMap.has(frame.message.id)) upsert(frame.message, out);
        refreshQuotes(frame.message, out);
        break;
      case "message.deleted": {
        const message = messageMap.get(frame.message);
        if (message) {
          upsert({ ...message, deleted: true, text: "", attachments: [], reactions: [], reply_to: null,
            sticker: null, call: null }, out);
        }
        refreshQuotes({ id: frame.message, deleted: true }, out);
        break;
      }
      case "reaction.updated": {
        const message = messageMap.get(frame.message);
        if (message && !message.deleted) upsert({ ...message, reactions: frame.reactions }, out);
        break;
      }
      case "chat.updated":
        if (isGroup) {
          title = frame.title;
          if (frame.avatar) avatar = frame.avatar;
          out.push({ type: "chat.updated", title, avatar: frame.avatar || null });
        }
        break;
      case "member.added":
        memberMap.set(frame.user.id, { ...frame.user, role: frame.role });
        // chats/services.py stores a new member's read mark as the seq before this change.
        raiseRead(frame.user.id, frame.seq - 1);
        out.push({ type: "members" });
        break;
      case "member.removed":
        memberMap.delete(frame.user);
        out.push({ type: "members" }, { type: "statuses" });
        if (frame.user === me) end(frame.left ? "left" : "removed", out);
        break;
      case "member.updated": {
        const member = memberMap.get(frame.user);
        if (member) memberMap.set(frame.user, { ...member, role: frame.role });
        if (frame.user === me) role = frame.role;
        break;
      }
      default:
        break;
    }
  }

  function requestSync(out) {
    if (syncing || !isOpen()) return;
    syncing = true;
    out.push({ type: "send", frame: { type: "sync", chats: { [chatId]: lastSeq } } });
  }

  function drainBuffer(out) {
    buffer.sort((a, b) => a.seq - b.seq);
    while (buffer.length) {
      const frame = buffer[0];
      if (frame.seq <= lastSeq) { buffer.shift(); continue; }
      if (frame.seq !== lastSeq + 1) { requestSync(out); return; }
      buffer.shift();
      apply(frame, out);
      lastSeq = frame.seq;
    }
    out.push({ type: "caught_up" });
  }

  function onSeqFrame(frame, out) {
    if (syncing) { buffer.push(frame); return; }
    if (frame.seq <= lastSeq) return; // already applied, or part of what the page showed
    if (frame.seq === lastSeq + 1) {
      apply(frame, out);
      lastSeq = frame.seq;
      out.push({ type: "caught_up" });
    } else {
      buffer.push(frame); // a gap: something was missed; catch up first
      requestSync(out);
    }
  }

  function onSyncResult(frame, out) {
    const result = frame.chats?.[String(chatId)];
    if (!result) return;
    if (result.gone) {
      syncing = false;
      buffer.length = 0;
      end("removed", out);
      return;
    }
    for (const event of result.events) {
      if (event.seq > lastSeq) { apply(event, out); lastSeq = event.seq; }
    }
    for (const [userId, seq] of Object.entries(result.read || {})) raiseRead(Number(userId), seq);
    if (result.read?.[me] !== undefined) myRead = Math.max(myRead, result.read[me]);
    syncing = false;
    lastSeq = Math.max(lastSeq, result.last_seq);
    if (!result.complete) { requestSync(out); return; }
    drainBuffer(out);
  }

  return {
    // Apply one frame from the socket; frames of other chats and other types give no effects.
    receive(frame) {
      const out = [];
      if (frame.type === "sync.result") {
        onSyncResult(frame, out);
      } else if (frame.chat !== chatId) {
        // another chat's frame
      } else if (frame.type === "message.deleted" && frame.seq === null) {
        hidden.add(frame.message);
        messageMap.delete(frame.message);
        out.push({ type: "message.removed", id: frame.message });
      } else if (SEQ_FRAMES.has(frame.type)) {
        onSeqFrame(frame, out);
      } else if (frame.type === "read") {
        raiseRead(frame.user, frame.seq);
        if (frame.user === me) myRead = Math.max(myRead, frame.seq);
        out.push({ type: "statuses" });
      } else if (frame.type === "chat.deleted") {
        end(frame.reason === "blocked" ? "blocked" : "chat_deleted", out);
      }
      return out;
    },
    // The socket (re)opened: whatever sync was out is lost with the old socket; ask again.
    connected() {
      const out = [];
      syncing = false;
      requestSync(out);
      return out;
    },
    disconnected() {
      syncing = false;
      return [];
    },
    // Catch up if the socket is open (the page starts after the socket may have opened).
    catchUp() {
      const out = [];
      requestSync(out);
      return out;
    },
    // The `read` frame to send when the reader has seen everything applied, or null.
    takeReadMark() {
      if (lastSeq <= myRead) return null;
      myRead = lastSeq;
      return { type: "read", chat: chatId, seq: lastSeq };
    },
    // A `message.ack` for this chat: the sender's own message, before its `message.new`.
    acked(message) {
      const out = [];
      if (message?.chat === chatId) upsert(message, out);
      return out;
    },
    // An older history page: returns the messages not shown yet, oldest first as given.
    addOlder(page) {
      const added = page.filter((message) => !messageMap.has(message.id) && !hidden.has(message.id));
      for (const message of added) remember(message);
      return added;
    },
    // How many other members have read `message` (ticks and "read by N").
    readersOf(message) {
      let count = 0;
      for (const [userId, seq] of readMap) {
        if (userId !== me && memberMap.has(userId) && seq >= message.seq) count += 1;
      }
      return count;
    },
    get lastSeq() { return lastSeq; },
    get myRead() { return myRead; },
    get syncing() { return syncing; },
    get buffered() { return buffer.map((frame) => frame.seq); },
    get role() { return role; },
    get title() { return title; },
    get avatar() { return avatar; },
    get ended() { return ended; },
    get messages() { return messageMap; },
    get members() { return memberMap; },
    // What the page shows, as plain data: messages in seq order, members by id, the other
    // members' read marks (the reader's own mark is `myRead`).
    snapshot() {
      const byId = (a, b) => a[0] - b[0];
      return {
        lastSeq, myRead, role, title, avatar, ended,
        messages: [...messageMap.values()].sort((a, b) => a.seq - b.seq),
        members: Object.fromEntries([...memberMap].sort(byId)),
        read: Object.fromEntries([...readMap].filter(([id]) => id !== me && memberMap.has(id)).sort(byId)),
      };
    },
  };
}

// -- outbox ---------------------------------------------------------------------------------
// An entry is "queued" until the server acks it (then it leaves the outbox) or refuses it for
// good ("failed": shown with retry and discard). `sent_at` is when it last went out; a queued
// entry is sent again after RESEND_AFTER_MS, and every queued entry on each (re)connect.
export const OUTBOX_RESEND_AFTER_MS = 8000;
export const OUTBOX_FORGET_AFTER_MS = 7 * 24 * 3600 * 1000; // failed or abandoned entries
// Errors that will not go away by sending again: the entry is marked failed.
export const OUTBOX_FINAL_ERRORS = new Set(["invalid", "not_found", "blocked", "forbidden", "too_large"]);

export function outboxEntry({ clientId, now, chat, text, replyTo = null, attachments = [], reply = null, sticker = null }) {
  return {
    client_id: clientId, chat, text, reply_to: replyTo, reply, attachments, sticker,
    created_at: new Date(now).toISOString(), status: "queued", sent_at: 0,
  };
}

export function outboxFrame(entry) {
  const frame = { type: "message.send", chat: entry.chat, client_id: entry.client_id, text: entry.text };
  if (entry.reply_to) frame.reply_to = entry.reply_to;
  if (entry.attachments?.length) frame.attachments = entry.attachments.map((a) => a.id);
  if (entry.sticker) frame.sticker = entry.sticker.id;
  return frame;
}

// The entries still worth keeping (stored ones may be malformed or stale).
export function outboxKept(entries, now) {
  if (!Array.isArray(entries)) return [];
  const cutoff = now - OUTBOX_FORGET_AFTER_MS;
  return entries.filter((entry) => Date.parse(entry?.created_at) > cutoff);
}

// Queued entries to send now: all of them when `force` (a reconnect), else those not sent yet
// or not acked within OUTBOX_RESEND_AFTER_MS.
export function outboxDue(entries, now, force = false) {
  return entries.filter((entry) => entry.status === "queued"
    && (force || !entry.sent_at || now - entry.sent_at > OUTBOX_RESEND_AFTER_MS));
}

function change(entries, clientId, fields) {
  let entry = null;
  const next = entries.map((e) => {
    if (e.client_id !== clientId) return e;
    entry = { ...e, ...fields };
    return entry;
  });
  return { entries: next, entry };
}

export function outboxSent(entries, clientIds, now) {
  const ids = new Set(clientIds);
  return entries.map((e) => (ids.has(e.client_id) ? { ...e, sent_at: now } : e));
}

// `message.ack`: the entry leaves the outbox.
export function outboxAcked(entries, clientId) {
  return {
    entries: entries.filter((e) => e.client_id !== clientId),
    entry: entries.find((e) => e.client_id === clientId) || null,
  };
}

// An `error` frame whose ref is an entry's client_id: final codes fail the entry, others leave
// it queued for the next resend. `entry` is null when the ref is no entry of the outbox.
export function outboxRefused(entries, frame) {
  const final = OUTBOX_FINAL_ERRORS.has(frame.code);
  if (!final) return { entries, entry: entries.find((e) => e.client_id === frame.ref) || null, final };
  return { ...change(entries, frame.ref, { status: "failed", error: frame.detail }), final };
}

export function outboxRetry(entries, clientId) {
  return change(entries, clientId, { status: "queued", error: null, sent_at: 0 });
}

export function outboxDiscard(entries, clientId) {
  return entries.filter((e) => e.client_id !== clientId);
}
