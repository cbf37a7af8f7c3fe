// The chat core's invariant, in the spirit of Zulip's test_events: a page that applies a
// recorded stream of frames (with frames lost, repeated and out of order, sockets dropping and
// syncs answered late) ends in the same state as a page loaded fresh from the server.
//
// The "server" below is a model of chats/ (services, events.message_payload, the selectors'
// sync_for and the chat page's state) for one group chat seen by user 1. Each seed drives one
// deterministic run: server changes, the page loading at some point, the socket delivering
// frames through a lossy, reordering channel, and the page's own `sync` and `read` frames.
// At the end the socket reconnects once more, as any page does on its next reconnect, so that
// changes whose frames were lost at the very end are caught up too; a second family of runs
// loses nothing and never reconnects, so ordering alone is checked without that final sync.
//
// What the model leaves out, and why (each is a limit of the protocol, not of the client):
// - `message.deleted` with `scope: "me"` has no seq, so a lost one cannot be caught up; here
//   it is delivered at once, as the answer to this tab's own action.
// - Messages are hidden only by their sender (me): a member is taken to have read up to their
//   own messages, and a message hidden for me is not in my history to show that.
// - A message hidden for me is not edited or deleted afterwards (the page offers no way to):
//   sync leaves out every frame about a hidden message, so a quote of it elsewhere would miss
//   the change.
import { test } from "node:test";
import assert from "node:assert/strict";

import { createChatCore, REPLY_EXCERPT } from "../../static/js/chat-core.js";

const CHAT = 7;
const ME = 1;
const USERS = [1, 2, 3, 4, 5];
const EMOJI = ["👍", "🔥", "😂"];
const SYNC_LIMIT = 4; // chats/selectors.py SYNC_EVENTS_PER_CHAT, small so results come in parts

// Mulberry32: a small seeded generator, so every run of a seed is the same.
function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p) => next() < p,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

const userRef = (id) => ({ id, username: `u${id}`, display_name: `User ${id}`, avatar_url: null });

class ChatServer {
  constructor(rng) {
    this.rng = rng;
    this.lastSeq = 0;
    this.nextId = 100;
    this.title = "Trip";
    this.messages = new Map(); // id -> stored message
    this.changes = []; // ChatEvent rows: {seq, type, message, data}
    this.members = new Map([[1, { role: "owner", read: 0 }], [2, { role: "member", read: 0 }],
      [3, { role: "member", read: 0 }]]);
    this.hiddenForMe = new Set();
  }

  // events.message_payload
  payload(message) {
    const deleted = message.deleted;
    const reply = message.replyTo === null ? null : this.messages.get(message.replyTo);
    const grouped = new Map();
    for (const { emoji, user } of message.reactions) {
      if (!grouped.has(emoji)) grouped.set(emoji, { emoji, count: 0, user_ids: [], users: [] });
      const entry = grouped.get(emoji);
      entry.count += 1;
      entry.user_ids.push(user);
      if (entry.users.length < 5) entry.users.push(userRef(user));
    }
    return {
      id: message.id, chat: CHAT, seq: message.seq, client_id: null, sender: userRef(message.sender),
      text: deleted ? "" : message.text,
      reply_to: deleted || !reply ? null : {
        id: reply.id, seq: reply.seq, sender: userRef(reply.sender),
        text: reply.deleted ? "" : Array.from(reply.text).slice(0, REPLY_EXCERPT).join(""),
        deleted: reply.deleted, attachments: 0,
      },
      attachments: [], sticker: null, call: null,
      reactions: deleted ? [] : [...grouped.values()],
      created_at: `2026-12-01T10:00:${String(message.seq).padStart(2, "0")}+00:00`,
      edited_at: message.editedAt, deleted,
    };
  }

  record(type, message, data) {
    this.lastSeq += 1;
    this.changes.push({ seq: this.lastSeq, type, message, data });
    return this.lastSeq;
  }

  // events.event_frame: a stored change rebuilt from current state.
  frameOf(change) {
    const base = { type: change.type, chat: CHAT, seq: change.seq };
    const message = change.message === null ? null : this.messages.get(change.message);
    switch (change.type) {
      case "message.updated": return { ...base, message: this.payload(message) };
      case "message.deleted": return { ...base, message: change.message, scope: "all" };
      case "reaction.updated": return { ...base, message: change.message, reactions: this.payload(message).reactions };
      case "chat.updated": return { ...base, title: change.data.title, avatar: null, by: 2 };
      case "member.added": return { ...base, user: userRef(change.data.user), role: "member", by: 1 };
      case "member.removed": return { ...base, user: change.data.user, by: 1, left: false };
      case "member.updated": return { ...base, user: change.data.user, role: change.data.role, by: 1 };
      default: throw new Error(change.type);
    }
  }

  visible() {
    return [...this.messages.values()].filter((m) => !m.deleted && !this.hiddenForMe.has(m.id));
  }

  // One random change, as the services make it; returns the frames published to user 1.
  // `hides` false leaves out "delete for me", which only a connected page of mine can ask for.
  act({ hides = true } = {}) {
    const rng = this.rng;
    const memberIds = [...this.members.keys()];
    const others = memberIds.filter((id) => id !== ME);
    const live = this.visible();
    const roll = rng.next();
    if (roll < 0.3 || live.length === 0) {
      const replyTo = live.length && rng.chance(0.3) ? rng.pick(live).id : null;
      const message = { id: this.nextId++, seq: this.lastSeq + 1, sender: rng.pick(memberIds),
        text: `m${this.nextId} ${"слово ".repeat(rng.int(3))}${rng.chance(0.1) ? "🙂".repeat(REPLY_EXCERPT) : ""}`,
        replyTo, reactions: [], editedAt: null, deleted: false };
      this.lastSeq += 1;
      this.messages.set(message.id, message);
      return [{ type: "message.new", chat: CHAT, seq: message.seq, message: this.payload(message) }];
    }
    if (roll < 0.42) {
      const message = rng.pick(live);
      message.text = `edited ${this.lastSeq + 1}${rng.chance(0.3) ? "🙂".repeat(REPLY_EXCERPT) : ""}`;
      message.editedAt = `2026-12-01T11:00:${String(this.lastSeq + 1).padStart(2, "0")}+00:00`;
      const seq = this.record("message.updated", message.id);
      return [{ type: "message.updated", chat: CHAT, seq, message: this.payload(message) }];
    }
    if (roll < 0.5) {
      const message = rng.pick(live);
      message.deleted = true;
      const seq = this.record("message.deleted", message.id);
      return [{ type: "message.deleted", chat: CHAT, seq, message: message.id, scope: "all" }];
    }
    if (roll < 0.62) {
      const message = rng.pick(live);
      const user = rng.pick(memberIds);
      const emoji = rng.pick(EMOJI);
      const at = message.reactions.findIndex((r) => r.user === user && r.emoji === emoji);
      if (at >= 0) message.reactions.splice(at, 1);
      else message.reactions.push({ user, emoji });
      const seq = this.record("reaction.updated", message.id);
      return [{ type: "reaction.updated", chat: CHAT, seq, message: message.id, reactions: this.payload(message).reactions }];
    }
    if (roll < 0.8) {
      // A member reads (user 1 too: another tab of mine); `read` never moves back.
      const user = rng.pick(memberIds);
      const seq = rng.int(this.lastSeq + 1);
      return this.markRead(user, seq);
    }
    if (roll < 0.85) {
      if (!hides) return [];
      const mine = live.filter((m) => m.sender === ME);
      if (!mine.length) return [];
      const message = rng.pick(mine);
      this.hiddenForMe.add(message.id);
      return [{ type: "message.deleted", chat: CHAT, message: message.id, seq: null, scope: "me" }];
    }
    if (roll < 0.9) {
      const outside = USERS.filter((id) => !this.members.has(id));
      if (!outside.length) return [];
      const user = rng.pick(outside);
      this.members.set(user, { role: "member", read: this.lastSeq });
      this.record("member.added", null, { user });
      return [this.frameOf(this.changes.at(-1))];
    }
    if (roll < 0.94) {
      if (!others.length) return [];
      const user = rng.pick(others);
      this.members.delete(user);
      this.record("member.removed", null, { user });
      return [this.frameOf(this.changes.at(-1))];
    }
    if (roll < 0.97) {
      const user = rng.pick(memberIds);
      const role = rng.pick(["admin", "member"]);
      this.members.get(user).role = role;
      this.record("member.updated", null, { user, role });
      return [this.frameOf(this.changes.at(-1))];
    }
    this.title = `Trip ${this.lastSeq + 1}`;
    this.record("chat.updated", null, { title: this.title });
    return [this.frameOf(this.changes.at(-1))];
  }

  // services.message_read: clamped to the chat's last seq; published only when it moves.
  markRead(user, seq) {
    const membership = this.members.get(user);
    const clamped = Math.min(seq, this.lastSeq);
    if (!membership || clamped <= membership.read) return [];
    membership.read = clamped;
    return [{ type: "read", chat: CHAT, user, seq: clamped }];
  }

  // selectors._sync_chat
  sync(since) {
    if (!this.members.has(ME)) return { gone: true };
    const limit = SYNC_LIMIT;
    const items = [...this.messages.values()].filter((m) => m.seq > since)
      .map((m) => [m.seq, { type: "message.new", chat: CHAT, seq: m.seq, message: this.payload(m) }]);
    for (const change of this.changes) if (change.seq > since) items.push([change.seq, this.frameOf(change)]);
    items.sort((a, b) => a[0] - b[0]);
    const complete = items.length <= limit;
    const kept = items.slice(0, limit);
    const messageFrames = new Set(["message.new", "message.updated", "message.deleted", "reaction.updated"]);
    const events = kept.map(([, frame]) => frame).filter((frame) => !(messageFrames.has(frame.type)
      && this.hiddenForMe.has(typeof frame.message === "object" ? frame.message.id : frame.message)));
    const last = kept.length ? kept.at(-1)[0] : since;
    return {
      events, complete, last_seq: complete ? Math.max(this.lastSeq, last) : last,
      read: Object.fromEntries([...this.members].map(([id, m]) => [String(id), m.read])),
    };
  }

  // views.chat_detail's state for user 1: what a page loaded now starts from.
  page() {
    return {
      chatId: CHAT, me: ME, isGroup: true, role: this.members.get(ME).role, title: this.title, avatar: null,
      lastSeq: this.lastSeq, myRead: this.members.get(ME).read,
      read: Object.fromEntries([...this.members].map(([id, m]) => [String(id), m.read])),
      members: Object.fromEntries([...this.members].map(([id, m]) => [String(id), { ...userRef(id), role: m.role }])),
      messages: [...this.messages.values()].filter((m) => !this.hiddenForMe.has(m.id))
        .sort((a, b) => a.seq - b.seq).map((m) => this.payload(m)),
    };
  }
}

// One run. `lossy` loses and repeats frames and drops the socket; otherwise frames only come
// out of order. Returns the page's and a fresh page's snapshots and what happened on the way.
function run(seed, { lossy }) {
  const rng = generator(seed);
  const server = new ChatServer(rng);
  const stats = { syncs: 0, partial: 0, buffered: 0, duplicates: 0, lost: 0, reconnects: 0 };
  const changes = 20 + rng.int(40);
  const before = rng.int(changes / 2); // changes made before the page loads
  let done = 0;
  while (done < before) { server.act(); done += 1; }

  let open = false;
  let inFlight = []; // frames on their way to the page
  let syncRequests = []; // `sync` frames the server has not answered yet
  const core = createChatCore({ ...server.page(), isOpen: () => open });

  let steps = 0;
  const step = () => assert.ok((steps += 1) < 20000, `seed ${seed}: the page never settles`);
  const carryOut = (effects) => {
    for (const effect of effects) {
      if (effect.type !== "send") continue;
      if (effect.frame.type === "sync") { stats.syncs += 1; syncRequests.push(effect.frame); }
      if (effect.frame.type === "read") {
        assert.ok(open, "the page sends only on an open socket");
        inFlight.push(...server.markRead(ME, effect.frame.seq));
      }
    }
  };
  const publish = (frames) => {
    if (!open) return; // a closed socket gets nothing; the next sync catches up
    for (const frame of frames) {
      if (frame.seq === null) { carryOut(core.receive(frame)); continue; }
      if (lossy && rng.chance(0.15)) { stats.lost += 1; continue; }
      inFlight.push(frame);
      if (lossy && rng.chance(0.1)) {
        stats.duplicates += 1;
        inFlight.splice(inFlight.length + rng.int(3) - 2, 0, frame);
      }
    }
  };
  const deliver = () => {
    const at = rng.int(Math.min(inFlight.length, 4)); // out of order within a small window
    const [frame] = inFlight.splice(at, 1);
    const before = core.buffered.length;
    carryOut(core.receive(frame));
    if (core.buffered.length > before) stats.buffered += 1;
  };
  const answerSync = () => {
    const request = syncRequests.shift();
    const result = server.sync(request.chats[CHAT]);
    if (result.complete === false) stats.partial += 1;
    inFlight.splice(inFlight.length - rng.int(Math.min(inFlight.length, 3) + 1), 0,
      { type: "sync.result", chats: { [CHAT]: result } });
  };
  const connect = () => {
    open = true;
    carryOut(core.connected());
  };
  const disconnect = () => {
    stats.reconnects += 1;
    open = false;
    inFlight = [];
    syncRequests = [];
    carryOut(core.disconnected());
  };

  // The socket may be open before the page's script runs, or open a moment later.
  if (rng.chance(0.5)) { open = true; carryOut(core.catchUp()); }
  while (done < changes || inFlight.length || syncRequests.length || !open) {
    step();
    const roll = rng.next();
    if (!open) { if (roll < 0.3) connect(); else if (done < changes) { server.act({ hides: false }); done += 1; } continue; }
    if (roll < 0.35 && done < changes) { publish(server.act()); done += 1; }
    else if (roll < 0.7 && inFlight.length) deliver();
    else if (roll < 0.85 && syncRequests.length) answerSync();
    else if (roll < 0.93) { const frame = core.takeReadMark(); if (frame) carryOut([{ type: "send", frame }]); }
    else if (lossy && roll < 0.97) disconnect();
  }
  if (lossy) {
    disconnect();
    connect();
    while (inFlight.length || syncRequests.length) {
      step();
      if (syncRequests.length) answerSync();
      else deliver();
    }
  }
  assert.equal(core.syncing, false, `seed ${seed}: no sync left open`);
  assert.deepEqual(core.buffered, [], `seed ${seed}: nothing left waiting`);
  const fresh = createChatCore({ ...server.page(), isOpen: () => false });
  return { page: core.snapshot(), fresh: fresh.snapshot(), stats };
}

function sum(runs) {
  const total = {};
  for (const { stats } of runs) for (const [key, value] of Object.entries(stats)) total[key] = (total[key] || 0) + value;
  return total;
}

test("a page fed frames with losses, repeats and reordering ends as a fresh page (200 seeds)", () => {
  const runs = [];
  for (let seed = 1; seed <= 200; seed += 1) {
    const outcome = run(seed, { lossy: true });
    assert.deepEqual(outcome.page, outcome.fresh, `seed ${seed}`);
    runs.push(outcome);
  }
  // The streams must really have exercised the hard cases.
  const total = sum(runs);
  for (const key of ["syncs", "partial", "buffered", "duplicates", "lost", "reconnects"]) {
    assert.ok(total[key] > 100, `${key}: ${total[key]}`);
  }
});

test("a page fed frames only out of order ends as a fresh page without a final sync (200 seeds)", () => {
  const runs = [];
  for (let seed = 1001; seed <= 1200; seed += 1) {
    const outcome = run(seed, { lossy: false });
    assert.deepEqual(outcome.page, outcome.fresh, `seed ${seed}`);
    runs.push(outcome);
  }
  const total = sum(runs);
  assert.ok(total.buffered > 100, `buffered: ${total.buffered}`);
  assert.ok(total.syncs > 100, `syncs: ${total.syncs}`);
});
