// Unit tests of the chat client's core (static/js/chat-core.js): ordering, gaps and sync,
// read marks, hides and quotes, and the outbox's transitions. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  OUTBOX_FORGET_AFTER_MS, OUTBOX_RESEND_AFTER_MS, createChatCore, outboxAcked, outboxDiscard,
  outboxDue, outboxEntry, outboxFrame, outboxKept, outboxRefused, outboxRetry, outboxSent,
} from "../../static/js/chat-core.js";

const CHAT = 7;
const ME = 1;
const user = (id) => ({ id, username: `u${id}`, display_name: `User ${id}`, avatar_url: null });

function message(id, seq, { sender = 2, text = `text ${id}`, replyTo = null } = {}) {
  return {
    id, chat: CHAT, seq, client_id: null, sender: user(sender), text, reply_to: replyTo,
    attachments: [], sticker: null, call: null, reactions: [], created_at: "2026-12-01T10:00:00+00:00",
    edited_at: null, deleted: false,
  };
}

const newFrame = (seq, id = seq * 10, options = {}) => ({ type: "message.new", chat: CHAT, seq, message: message(id, seq, options) });

// A core as the page starts it: history up to `lastSeq`, two members besides me, socket open.
function makeCore({ lastSeq = 2, history = null, open = true, read = null, isGroup = true } = {}) {
  const socket = { open };
  const messages = history ?? Array.from({ length: lastSeq }, (_, i) => message((i + 1) * 10, i + 1));
  const core = createChatCore({
    chatId: CHAT, me: ME, isGroup, role: "member", title: "Trip", lastSeq, myRead: 0,
    read: read ?? { 1: 0, 2: 0, 3: 0 }, members: { 1: { ...user(1), role: "owner" }, 2: { ...user(2), role: "member" }, 3: { ...user(3), role: "member" } },
    messages, isOpen: () => socket.open,
  });
  return { core, socket };
}

const sends = (effects) => effects.filter((e) => e.type === "send").map((e) => e.frame);
const shownSeqs = (core) => [...core.messages.values()].map((m) => m.seq).sort((a, b) => a - b);
const syncFrom = (seq) => ({ type: "sync", chats: { [CHAT]: seq } });
const result = (fields) => ({ type: "sync.result", chats: { [CHAT]: { events: [], read: {}, complete: true, ...fields } } });

test("frames in order are applied one by one without a sync", () => {
  const { core } = makeCore();
  const effects = [3, 4, 5].flatMap((seq) => core.receive(newFrame(seq)));
  assert.equal(core.lastSeq, 5);
  assert.deepEqual(shownSeqs(core), [1, 2, 3, 4, 5]);
  assert.deepEqual(sends(effects), []);
  assert.deepEqual(effects.filter((e) => e.type === "message").map((e) => [e.message.seq, e.known]),
    [[3, false], [4, false], [5, false]]);
  assert.equal(effects.filter((e) => e.type === "caught_up").length, 3);
});

test("a duplicate, or a frame the page already showed, changes nothing", () => {
  const { core } = makeCore();
  core.receive(newFrame(3));
  assert.deepEqual(core.receive(newFrame(3)), []);
  assert.deepEqual(core.receive(newFrame(2)), []);
  assert.deepEqual(core.receive({ type: "message.updated", chat: CHAT, seq: 1, message: { ...message(10, 1), text: "stale" } }), []);
  assert.equal(core.messages.get(10).text, "text 10");
  assert.equal(core.lastSeq, 3);
});

test("frames of another chat are ignored", () => {
  const { core } = makeCore();
  assert.deepEqual(core.receive({ ...newFrame(3), chat: CHAT + 1 }), []);
  assert.deepEqual(core.receive({ type: "read", chat: CHAT + 1, user: 2, seq: 99 }), []);
  assert.equal(core.lastSeq, 2);
});

test("a real gap sends exactly one sync, and later frames wait for it", () => {
  const { core } = makeCore();
  const first = core.receive(newFrame(4));
  assert.deepEqual(sends(first), [syncFrom(2)]);
  const later = [5, 3, 6, 4].flatMap((seq) => core.receive(newFrame(seq)));
  assert.deepEqual(sends(later), []);
  assert.deepEqual(core.catchUp(), [], "the page's own catch-up does not repeat it");
  assert.equal(core.syncing, true);
  assert.equal(core.lastSeq, 2, "nothing is applied while the sync is out");
  assert.deepEqual(core.buffered, [4, 5, 3, 6, 4]);
});

test("buffered frames out of order are applied in seq order after the sync", () => {
  const { core } = makeCore();
  core.receive(newFrame(5));
  for (const seq of [7, 6, 4]) core.receive(newFrame(seq));
  const effects = core.receive(result({ events: [newFrame(3)], last_seq: 3 }));
  assert.deepEqual(effects.filter((e) => e.type === "message").map((e) => e.message.seq), [3, 4, 5, 6, 7]);
  assert.deepEqual(sends(effects), []);
  assert.equal(core.lastSeq, 7);
  assert.equal(core.syncing, false);
  assert.deepEqual(core.buffered, []);
  assert.equal(effects.at(-1).type, "caught_up");
});

test("a sync that answers up to the buffer's frames drops them as duplicates", () => {
  const { core } = makeCore();
  core.receive(newFrame(4));
  core.receive(newFrame(5));
  const effects = core.receive(result({ events: [3, 4, 5, 6].map((seq) => newFrame(seq)), last_seq: 6 }));
  assert.deepEqual(effects.filter((e) => e.type === "message").map((e) => e.message.seq), [3, 4, 5, 6]);
  assert.equal(core.lastSeq, 6);
  assert.deepEqual(core.buffered, []);
});

test("a gap still left in the buffer after the sync asks again", () => {
  const { core } = makeCore();
  core.receive(newFrame(4));
  core.receive(newFrame(9)); // buffered while syncing; 5..8 were lost after the sync was built
  const effects = core.receive(result({ events: [newFrame(3), newFrame(4)], last_seq: 4 }));
  assert.deepEqual(sends(effects), [syncFrom(4)]);
  assert.equal(core.syncing, true);
  assert.deepEqual(core.buffered, [9]);
});

test("an incomplete sync.result asks again from its last_seq", () => {
  const { core } = makeCore();
  core.receive(newFrame(6));
  const effects = core.receive(result({ events: [newFrame(3), newFrame(4)], last_seq: 4, complete: false }));
  assert.deepEqual(sends(effects), [syncFrom(4)]);
  assert.equal(core.lastSeq, 4);
  assert.ok(!effects.some((e) => e.type === "caught_up"));
  const rest = core.receive(result({ events: [newFrame(5), newFrame(6)], last_seq: 6 }));
  assert.deepEqual(sends(rest), []);
  assert.equal(core.lastSeq, 6);
  assert.deepEqual(shownSeqs(core), [1, 2, 3, 4, 5, 6]);
});

test("a sync.result whose last_seq passes its events moves lastSeq on (hidden messages)", () => {
  const { core } = makeCore();
  core.receive(newFrame(5));
  core.receive(result({ events: [newFrame(3)], last_seq: 4 }));
  assert.equal(core.lastSeq, 5);
  assert.deepEqual(shownSeqs(core), [1, 2, 3, 5]);
});

test("gone ends the chat and forgets the buffer", () => {
  const { core } = makeCore();
  core.receive(newFrame(4));
  const effects = core.receive({ type: "sync.result", chats: { [CHAT]: { gone: true } } });
  assert.deepEqual(effects, [{ type: "ended", reason: "removed" }]);
  assert.equal(core.ended, "removed");
  assert.equal(core.syncing, false);
  assert.deepEqual(core.buffered, []);
});

test("a sync.result without this chat changes nothing", () => {
  const { core } = makeCore();
  core.receive(newFrame(4));
  assert.deepEqual(core.receive({ type: "sync.result", chats: { 99: { gone: true } } }), []);
  assert.equal(core.syncing, true);
});

test("every reconnect syncs from the last applied seq, even with a sync lost in flight", () => {
  const { core, socket } = makeCore();
  core.receive(newFrame(3));
  core.receive(newFrame(5));
  assert.equal(core.syncing, true);
  socket.open = false;
  assert.deepEqual(core.disconnected(), []);
  assert.equal(core.syncing, false);
  assert.deepEqual(core.catchUp(), [], "no sync while the socket is closed");
  socket.open = true;
  assert.deepEqual(sends(core.connected()), [syncFrom(3)]);
  assert.deepEqual(sends(core.connected()), [syncFrom(3)], "a second open syncs again");
});

test("the page's start syncs only if the socket is already open", () => {
  assert.deepEqual(sends(makeCore({ open: true }).core.catchUp()), [syncFrom(2)]);
  assert.deepEqual(makeCore({ open: false }).core.catchUp(), []);
});

test("a gap seen while the socket cannot send waits for the reconnect's sync", () => {
  const { core, socket } = makeCore();
  socket.open = false;
  assert.deepEqual(sends(core.receive(newFrame(4))), []);
  socket.open = true;
  core.connected();
  const effects = core.receive(result({ events: [newFrame(3)], last_seq: 3 }));
  assert.equal(core.lastSeq, 4);
  assert.deepEqual(effects.filter((e) => e.type === "message").map((e) => e.message.seq), [3, 4]);
});

test("read marks only move forward, from read frames and sync alike", () => {
  const { core } = makeCore({ lastSeq: 0, history: [] });
  core.receive({ type: "read", chat: CHAT, user: 2, seq: 5 });
  core.receive({ type: "read", chat: CHAT, user: 2, seq: 3 });
  core.receive(newFrame(1, 10, { sender: ME }));
  core.receive(newFrame(2, 20, { sender: 3 }));
  core.receive({ type: "read", chat: CHAT, user: ME, seq: 4 });
  core.receive({ type: "read", chat: CHAT, user: ME, seq: 1 });
  assert.equal(core.myRead, 4);
  core.receive(newFrame(4));
  core.receive(result({ events: [newFrame(3)], last_seq: 4, read: { 1: 2, 2: 1, 3: 6 } }));
  assert.deepEqual(core.snapshot().read, { 2: 5, 3: 6 });
  assert.equal(core.myRead, 4);
  core.receive(result({ events: [], last_seq: 4, read: { 1: 7 } }));
  assert.equal(core.myRead, 7, "another tab's read mark from sync counts too");
});

test("a read frame redraws the ticks; readers are other current members", () => {
  const { core } = makeCore({ lastSeq: 0, history: [] });
  core.receive(newFrame(1, 10, { sender: ME }));
  const mine = core.messages.get(10);
  assert.equal(core.readersOf(mine), 0);
  assert.deepEqual(core.receive({ type: "read", chat: CHAT, user: 2, seq: 1 }), [{ type: "statuses" }]);
  core.receive({ type: "read", chat: CHAT, user: ME, seq: 1 });
  core.receive({ type: "read", chat: CHAT, user: 9, seq: 1 }); // not a member
  assert.equal(core.readersOf(mine), 1);
  core.receive({ type: "member.removed", chat: CHAT, seq: 2, user: 2, by: 2, left: true });
  assert.equal(core.readersOf(mine), 0);
});

test("a member has read up to their own message, live and in the history the page loads", () => {
  const history = [message(10, 1, { sender: ME }), message(20, 2, { sender: 2 })];
  const fresh = makeCore({ history }).core;
  assert.equal(fresh.readersOf(fresh.messages.get(10)), 1);
  const { core } = makeCore({ lastSeq: 1, history: history.slice(0, 1) });
  assert.equal(core.readersOf(core.messages.get(10)), 0);
  const effects = core.receive(newFrame(2, 20, { sender: 2 }));
  assert.equal(core.readersOf(core.messages.get(10)), 1);
  assert.ok(effects.some((e) => e.type === "typing.stop" && e.user === 2));
  assert.equal(effects.at(-1).type, "caught_up", "ticks are redrawn");
});

test("a new member has read what came before they joined", () => {
  const { core } = makeCore();
  const effects = core.receive({ type: "member.added", chat: CHAT, seq: 3, user: user(4), role: "member", by: 1 });
  assert.deepEqual(effects.map((e) => e.type), ["members", "caught_up"]);
  assert.deepEqual(core.members.get(4), { ...user(4), role: "member" });
  assert.equal(core.snapshot().read[4], 2);
});

test("the read mark to send is the last applied seq, once", () => {
  const { core } = makeCore();
  assert.deepEqual(core.takeReadMark(), { type: "read", chat: CHAT, seq: 2 });
  assert.equal(core.takeReadMark(), null);
  core.receive(newFrame(3));
  assert.deepEqual(core.takeReadMark(), { type: "read", chat: CHAT, seq: 3 });
  core.receive({ type: "read", chat: CHAT, user: ME, seq: 9 }); // another tab read further
  core.receive(newFrame(4));
  assert.equal(core.takeReadMark(), null);
});

test("edits, reactions and deletes replace the message; unknown messages are skipped", () => {
  const { core } = makeCore();
  const edited = { ...message(20, 2), text: "new", edited_at: "2026-12-01T11:00:00+00:00" };
  const e1 = core.receive({ type: "message.updated", chat: CHAT, seq: 3, message: edited });
  assert.deepEqual(e1.filter((e) => e.type === "message").map((e) => [e.message.text, e.known]), [["new", true]]);
  const reactions = [{ emoji: "👍", count: 1, user_ids: [3], users: [user(3)] }];
  core.receive({ type: "reaction.updated", chat: CHAT, seq: 4, message: 20, reactions });
  assert.deepEqual(core.messages.get(20).reactions, reactions);
  core.receive({ type: "message.deleted", chat: CHAT, seq: 5, message: 20, scope: "all" });
  const tombstone = core.messages.get(20);
  assert.equal(tombstone.deleted, true);
  assert.equal(tombstone.text, "");
  assert.deepEqual(tombstone.reactions, []);
  core.receive({ type: "reaction.updated", chat: CHAT, seq: 6, message: 20, reactions });
  assert.deepEqual(core.messages.get(20).reactions, [], "a deleted message shows no reactions");
  const e2 = core.receive({ type: "message.updated", chat: CHAT, seq: 7, message: message(999, 1) });
  assert.ok(!e2.some((e) => e.type === "message"));
  assert.equal(core.messages.has(999), false);
  assert.equal(core.lastSeq, 7);
});

test("quotes follow the quoted message's edit and deletion", () => {
  const quote = { id: 10, seq: 1, sender: user(2), text: "text 10", deleted: false, attachments: 0 };
  const history = [message(10, 1), message(20, 2, { sender: ME, replyTo: quote })];
  const { core } = makeCore({ history });
  const long = "ж".repeat(150) + "🙂".repeat(100);
  const effects = core.receive({ type: "message.updated", chat: CHAT, seq: 3, message: { ...message(10, 1), text: long } });
  assert.deepEqual(effects.filter((e) => e.type === "message").map((e) => e.message.id), [10, 20]);
  assert.equal(core.messages.get(20).reply_to.text, "ж".repeat(150) + "🙂".repeat(50));
  core.receive({ type: "message.deleted", chat: CHAT, seq: 4, message: 10, scope: "all" });
  assert.deepEqual(core.messages.get(20).reply_to, { ...quote, text: "", deleted: true, attachments: 0 });
});

test("a quote follows its message even when that message is not shown", () => {
  const quote = { id: 5, seq: 1, sender: user(2), text: "old", deleted: false, attachments: 0 };
  const { core } = makeCore({ lastSeq: 2, history: [message(20, 2, { sender: ME, replyTo: quote })] });
  core.receive({ type: "message.updated", chat: CHAT, seq: 3, message: { ...message(5, 1), text: "new" } });
  assert.equal(core.messages.get(20).reply_to.text, "new");
  assert.equal(core.messages.has(5), false);
  core.receive({ type: "message.deleted", chat: CHAT, seq: 4, message: 5, scope: "all" });
  assert.equal(core.messages.get(20).reply_to.deleted, true);
});

test("deleted for me: the message goes and stays gone, whatever comes late", () => {
  const { core } = makeCore();
  const effects = core.receive({ type: "message.deleted", chat: CHAT, message: 30, seq: null, scope: "me" });
  assert.deepEqual(effects, [{ type: "message.removed", id: 30 }]);
  assert.equal(core.lastSeq, 2, "a hide has no seq");
  core.receive(newFrame(3, 30));
  assert.equal(core.messages.has(30), false);
  assert.equal(core.lastSeq, 3);
  assert.deepEqual(core.addOlder([message(30, 3)]), []);
});

test("an ack shows the sender's message before its message.new", () => {
  const { core } = makeCore();
  const sent = message(30, 3, { sender: ME });
  assert.deepEqual(core.acked(sent), [{ type: "message", message: sent, known: false }]);
  assert.deepEqual(core.acked({ ...sent, chat: 99 }), []);
  assert.equal(core.lastSeq, 2, "the ack is not the change itself");
  const effects = core.receive(newFrame(3, 30, { sender: ME }));
  assert.equal(effects.find((e) => e.type === "message").known, true);
});

test("older history adds only messages not shown", () => {
  const { core } = makeCore({ lastSeq: 4, history: [message(30, 3), message(40, 4)] });
  const added = core.addOlder([message(10, 1), message(20, 2), message(30, 3)]);
  assert.deepEqual(added.map((m) => m.id), [10, 20]);
  assert.deepEqual(shownSeqs(core), [1, 2, 3, 4]);
});

test("members, roles and the group's name follow member and chat frames", () => {
  const { core } = makeCore();
  core.receive({ type: "member.updated", chat: CHAT, seq: 3, user: ME, role: "admin", by: 2 });
  core.receive({ type: "member.updated", chat: CHAT, seq: 4, user: 3, role: "admin", by: 2 });
  const renamed = core.receive({ type: "chat.updated", chat: CHAT, seq: 5, title: "Hike", avatar: null, by: 2 });
  assert.equal(core.role, "admin");
  assert.equal(core.members.get(3).role, "admin");
  assert.equal(core.title, "Hike");
  assert.deepEqual(renamed[0], { type: "chat.updated", title: "Hike", avatar: null });
  const dialog = makeCore({ isGroup: false }).core;
  assert.deepEqual(dialog.receive({ type: "chat.updated", chat: CHAT, seq: 3, title: "X", avatar: null, by: 2 }), [{ type: "caught_up" }]);
  assert.equal(dialog.title, "Trip", "a dialog is named after the other person");
});

test("being removed, leaving, or the group's deletion end the chat", () => {
  const removed = makeCore().core;
  const effects = removed.receive({ type: "member.removed", chat: CHAT, seq: 3, user: ME, by: 2, left: false });
  assert.deepEqual(effects.map((e) => e.type), ["members", "statuses", "ended", "caught_up"]);
  assert.equal(removed.ended, "removed");
  const left = makeCore().core;
  left.receive({ type: "member.removed", chat: CHAT, seq: 3, user: ME, by: ME, left: true });
  assert.equal(left.ended, "left");
  const deleted = makeCore().core;
  assert.deepEqual(deleted.receive({ type: "chat.deleted", chat: CHAT }), [{ type: "ended", reason: "chat_deleted" }]);
  assert.deepEqual(makeCore().core.receive({ type: "chat.deleted", chat: 99 }), []);
  assert.deepEqual(makeCore().core.receive({ type: "chat.deleted", chat: CHAT, reason: "blocked" }), [{ type: "ended", reason: "blocked" }]);
});

// -- outbox -----------------------------------------------------------------------------------
const NOW = Date.parse("2026-12-03T12:00:00Z");

function queued(clientId, fields = {}) {
  return { ...outboxEntry({ clientId, now: NOW, chat: CHAT, text: `hi ${clientId}` }), ...fields };
}

test("a new entry is queued, unsent, and becomes the message.send frame", () => {
  const entry = outboxEntry({ clientId: "a", now: NOW, chat: CHAT, text: "hi", replyTo: 20,
    attachments: [{ id: 55, name: "lake.jpg" }], reply: { id: 20 } });
  assert.equal(entry.status, "queued");
  assert.equal(entry.sent_at, 0);
  assert.equal(entry.created_at, "2026-12-03T12:00:00.000Z");
  assert.deepEqual(outboxFrame(entry), { type: "message.send", chat: CHAT, client_id: "a", text: "hi", reply_to: 20, attachments: [55] });
  const sticker = outboxEntry({ clientId: "b", now: NOW, chat: CHAT, text: "", sticker: { id: 3 } });
  assert.deepEqual(outboxFrame(sticker), { type: "message.send", chat: CHAT, client_id: "b", text: "", sticker: 3 });
});

test("queued entries are resent when unsent or unacked too long, and all on reconnect", () => {
  const entries = [queued("unsent"), queued("recent", { sent_at: NOW - 1000 }),
    queued("old", { sent_at: NOW - OUTBOX_RESEND_AFTER_MS - 1 }), queued("failed", { status: "failed" })];
  assert.deepEqual(outboxDue(entries, NOW).map((e) => e.client_id), ["unsent", "old"]);
  assert.deepEqual(outboxDue(entries, NOW, true).map((e) => e.client_id), ["unsent", "recent", "old"]);
  const sent = outboxSent(entries, ["unsent", "old"], NOW);
  assert.deepEqual(sent.map((e) => e.sent_at), [NOW, NOW - 1000, NOW, 0]);
  assert.deepEqual(outboxDue(sent, NOW + 1), []);
  assert.equal(entries[0].sent_at, 0, "the stored list is not changed in place");
});

test("an ack removes the entry; a repeated ack finds nothing", () => {
  const { entries, entry } = outboxAcked([queued("a"), queued("b")], "a");
  assert.equal(entry.client_id, "a");
  assert.deepEqual(entries.map((e) => e.client_id), ["b"]);
  assert.deepEqual(outboxAcked(entries, "a"), { entries, entry: null });
});

test("a final error fails the entry; a passing one leaves it queued; foreign refs are no entry", () => {
  const entries = [queued("a"), queued("b")];
  const passing = outboxRefused(entries, { type: "error", code: "rate_limited", detail: "slow down", ref: "a" });
  assert.equal(passing.final, false);
  assert.equal(passing.entries, entries);
  const failed = outboxRefused(entries, { type: "error", code: "blocked", detail: "Blocked", ref: "a" });
  assert.equal(failed.final, true);
  assert.deepEqual([failed.entry.status, failed.entry.error], ["failed", "Blocked"]);
  assert.deepEqual(outboxDue(failed.entries, NOW, true).map((e) => e.client_id), ["b"]);
  assert.equal(outboxRefused(entries, { type: "error", code: "invalid", detail: "x", ref: "chat-7" }).entry, null);
});

test("retry queues a failed entry to be sent at once; discard drops it", () => {
  const entries = [queued("a", { status: "failed", error: "Blocked", sent_at: NOW - 5 })];
  const { entries: retried, entry } = outboxRetry(entries, "a");
  assert.deepEqual([entry.status, entry.error, entry.sent_at], ["queued", null, 0]);
  assert.deepEqual(outboxDue(retried, NOW).map((e) => e.client_id), ["a"]);
  assert.equal(outboxRetry(entries, "zzz").entry, null);
  assert.deepEqual(outboxDiscard(retried, "a"), []);
});

test("entries older than a week, or malformed storage, are forgotten", () => {
  const fresh = queued("a");
  const stale = { ...queued("b"), created_at: new Date(NOW - OUTBOX_FORGET_AFTER_MS - 1).toISOString() };
  assert.deepEqual(outboxKept([fresh, stale, { junk: true }, null], NOW), [fresh]);
  assert.deepEqual(outboxKept({ not: "a list" }, NOW), []);
});
