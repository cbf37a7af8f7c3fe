// The composer's sticker panel (packs rendered by the server) and sticker messages: a picked
// sticker is sent at once as `message.send {sticker}` and shown large, without a bubble.
import { el } from "./chat-render.js";

export function stickerNode(sticker) {
  return el("img", { class: "sticker-img", src: sticker.url, alt: sticker.name || "", width: 160, height: 160 });
}

export function initStickers({ onPick }) {
  const toggle = document.getElementById("sticker-toggle");
  const panel = document.getElementById("sticker-panel");
  if (!toggle || !panel) return;
  function show(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) panel.querySelector("button")?.focus();
  }
  toggle.addEventListener("click", () => show(panel.hidden));
  panel.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-sticker]");
    if (!button) return;
    onPick({ id: Number(button.dataset.sticker), url: button.dataset.url, name: button.dataset.name });
    show(false);
    toggle.focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) { show(false); toggle.focus(); }
  });
  document.addEventListener("click", (event) => {
    if (!panel.hidden && !panel.contains(event.target) && !toggle.contains(event.target)) show(false);
  });
}
