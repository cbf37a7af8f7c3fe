// Small DOM helpers for the chat modules. User text only ever becomes text nodes; links are
// <a> elements built around those text nodes, so nothing a user typed is parsed as HTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = /[.,!?;:)\]}'"»]+$/;

// Text with clickable http(s) links, as a DocumentFragment of text nodes and anchors.
export function linkify(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let raw = match[0];
    const trail = raw.match(TRAILING);
    if (trail && !(trail[0] === ")" && raw.includes("("))) raw = raw.slice(0, -trail[0].length);
    const start = match.index;
    if (start > last) fragment.append(document.createTextNode(text.slice(last, start)));
    const href = raw.toLowerCase().startsWith("www.") ? `https://${raw}` : raw;
    let safe = null;
    try {
      const url = new URL(href);
      if (url.protocol === "http:" || url.protocol === "https:") safe = url.href;
    } catch { safe = null; }
    fragment.append(safe ? el("a", { href: safe, target: "_blank", rel: "noopener noreferrer nofollow" }, raw)
      : document.createTextNode(raw));
    last = start + raw.length;
  }
  if (last < text.length) fragment.append(document.createTextNode(text.slice(last)));
  return fragment;
}

const lang = document.documentElement.lang || undefined;
const timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

export function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const today = new Date();
  return date.toDateString() === today.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

export function formatDateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : "";
}

export function formatSize(bytes) {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(unit && value < 10 ? 1 : 0)} ${units[unit]}`;
}

// Fill "%(name)s" placeholders of a translated string.
export function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

// A user's avatar as the server renders it: the photo, or the first letter of the name.
export function avatar(user, size = "xs") {
  const name = user?.display_name || "?";
  if (user?.avatar_url) return el("img", { class: `avatar avatar-${size}`, src: user.avatar_url, alt: name, title: name });
  return el("span", { class: `avatar avatar-${size} avatar-initials`, role: "img", "aria-label": name, title: name },
    name.charAt(0).toUpperCase());
}

const SVG_NS = "http://www.w3.org/2000/svg";

// An icon from the vendored SVG sprite, the twin of the `{% icon %}` template tag
// (accounts/templatetags/icons.py). Decorative: the control around it carries the name.
export function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  for (const [key, value] of Object.entries({ class: `icon icon-${name}`, "aria-hidden": "true", focusable: "false", width: 20, height: 20 })) {
    svg.setAttribute(key, String(value));
  }
  const use = document.createElementNS(SVG_NS, "use");
  use.setAttribute("href", `${document.body.dataset.icons}#${name}`);
  svg.append(use);
  return svg;
}

export function csrfToken() {
  try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
  catch { return ""; }
}
