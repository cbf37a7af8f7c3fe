// The Friends badge in the navigation: pending incoming friend requests, kept live by the socket.
// The count is fetched after every (re)connect, so requests that came while offline show too.
import { socket } from "./socket.js";

const COUNT_URL = "/friends/requests/count/";

function show(count) {
  const badge = document.getElementById("nav-badge-friends");
  if (badge) {
    badge.textContent = count > 0 ? String(count) : "";
    badge.hidden = !(count > 0);
  }
  for (const el of document.querySelectorAll('[data-count="incoming"]')) el.textContent = String(count);
}

async function refresh() {
  try {
    const response = await fetch(COUNT_URL, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) show((await response.json()).incoming);
  } catch { /* offline: the next reconnect refreshes */ }
}

socket.on("open", refresh);
socket.on("friend_request.new", (frame) => show(frame.incoming));
socket.on("friend_request.count", (frame) => show(frame.incoming));
