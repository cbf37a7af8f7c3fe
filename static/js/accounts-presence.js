// Live presence on a profile: `presence` frames (sent to friends) switch "online" and
// "last seen today at HH:MM" without a reload. Texts come translated from the template.
import { socket } from "./socket.js";

for (const box of document.querySelectorAll("[data-presence]")) {
  const userId = Number(box.dataset.presence);
  const text = box.querySelector("[data-presence-text]");
  const dot = box.querySelector(".presence-dot");

  socket.on("presence", (frame) => {
    if (frame.user !== userId) return;
    box.classList.toggle("is-online", frame.online);
    if (dot) dot.hidden = !frame.online;
    if (frame.online) {
      text.textContent = box.dataset.onlineText;
    } else {
      const seen = new Date(frame.last_seen);
      const time = seen.toLocaleTimeString(document.documentElement.lang || undefined, {
        hour: "2-digit",
        minute: "2-digit",
      });
      text.textContent = box.dataset.offlinePattern.replace("{time}", time);
    }
  });
}
