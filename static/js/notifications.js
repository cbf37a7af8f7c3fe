// The notification centre: following a notification's link marks it read on the way, and a
// notification that arrives while the first page is open is shown without a reload.
import { socket } from "./socket.js";

const list = document.getElementById("notifications-list");
const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";

if (list) {
  list.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-read-url]");
    if (!link) return;
    // keepalive lets the request finish while the browser follows the link.
    fetch(link.dataset.readUrl, {
      method: "POST", keepalive: true, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" },
    }).catch(() => {});
  });

  const firstPage = !new URLSearchParams(location.search).has("before");
  socket.on("notification", () => {
    if (firstPage && window.htmx) window.htmx.ajax("GET", location.pathname + location.search, { target: "#notifications-list", swap: "innerHTML" });
  });
}
