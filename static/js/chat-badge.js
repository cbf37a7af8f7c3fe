// The unread badge of "Chats" in the navigation, on every signed-in page, kept live. Also
// starts the outbox so messages queued on any page are resent after a reconnect.
import { socket } from "./socket.js";
import { outbox } from "./outbox.js";

const badge = document.getElementById("nav-badge-chats");
const me = Number(document.body.dataset.userId);
let total = 0;
let timer = null;

function show(count) {
  total = Math.max(0, count);
  if (!badge) return;
  badge.textContent = total > 99 ? "99+" : String(total);
  badge.hidden = total === 0;
}

function refresh() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    try {
      const response = await fetch("/chats/unread/", { headers: { Accept: "application/json" } });
      if (response.ok) show((await response.json()).total);
    } catch { /* offline: the next reconnect refreshes */ }
  }, 300);
}

if (badge && me) {
  socket.on("message.new", (frame) => { if (!frame.message.system && frame.message.sender?.id !== me) show(total + 1); });
  socket.on("read", (frame) => { if (frame.user === me) refresh(); });
  for (const type of ["open", "chat.deleted", "message.deleted"]) socket.on(type, refresh);
  socket.on("member.removed", (frame) => { if (frame.user === me) refresh(); });
  refresh();
}
if (me) outbox.start();
