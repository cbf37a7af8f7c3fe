// Says why the page went quiet when the server ends the session (suspension, ban, logout
// elsewhere): a banner with the reason, the date and a link to the login page, and every form
// of the page disabled so nothing more is typed into a page that can no longer send.
import { socket } from "./socket.js";

function formatUntil(iso) {
  const date = new Date(iso);
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "long", timeStyle: "short" }).format(date);
  } catch {
    return date.toLocaleString();
  }
}

function disableForms() {
  for (const control of document.querySelectorAll("main :is(input, textarea, select, button), .topbar-search input")) {
    control.disabled = true;
  }
  for (const editable of document.querySelectorAll("main [contenteditable='true']")) editable.contentEditable = "false";
}

socket.on("ended", ({ suspension }) => {
  const banner = document.getElementById("session-ended");
  if (!banner) return;
  let text = banner.dataset.ended;
  if (suspension?.banned) text = banner.dataset.banned;
  else if (suspension) text = banner.dataset.suspended.replace("{until}", formatUntil(suspension.until));
  banner.querySelector("[data-text]").textContent = text;
  banner.dataset.reason = suspension ? (suspension.banned ? "banned" : "suspended") : "ended";
  banner.hidden = false;
  disableForms();
});
