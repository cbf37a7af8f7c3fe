// The bell's unread badge in the top bar, on every signed-in page, kept live by the socket:
// `notification` and `notification.count` frames carry the new count; after every (re)connect
// the count is fetched, so what came while offline shows too.
import { socket } from "./socket.js";

const COUNT_URL = "/notifications/count/";
const badge = document.getElementById("topbar-badge-notifications");
const label = document.getElementById("topbar-badge-notifications-label");

export function showUnread(count) {
  const unread = Math.max(0, Number(count) || 0);
  if (badge) {
    badge.textContent = unread > 99 ? "99+" : String(unread);
    badge.hidden = unread === 0;
  }
  if (label) label.hidden = unread === 0;
  for (const el of document.querySelectorAll('[data-count="notifications"]')) el.textContent = String(unread);
}

async function refresh() {
  try {
    const response = await fetch(COUNT_URL, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) showUnread((await response.json()).unread);
  } catch { /* offline: the next reconnect refreshes */ }
}

if (badge) {
  socket.on("open", refresh);
  socket.on("notification", (frame) => showUnread(frame.unread));
  socket.on("notification.count", (frame) => showUnread(frame.unread));
}
