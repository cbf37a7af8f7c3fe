// The page's one WebSocket: reconnects with exponential backoff and dispatches frames by type.
// Other modules subscribe with `socket.on(type, handler)` and send with `socket.send(frame)`;
// `socket.on("open", ...)` runs after every (re)connect, which is where `sync` catches up.
// When the server ends the session (4001, or 4401 on a reconnect) the socket stays closed and
// `socket.on("ended", ...)` gets `{code, suspension}` (the `account.suspended` notice, if any).

const listeners = new Map();
let ws = null;
let attempt = 0;
let closedByServer = false;
let suspension = null;
const pending = [];

function emit(type, frame) {
  for (const handler of listeners.get(type) || []) {
    try { handler(frame); } catch (err) { console.error(err); }
  }
}

function url() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws/`;
}

function connect() {
  ws = new WebSocket(url());
  ws.addEventListener("open", () => {
    attempt = 0;
    document.body.dataset.socket = "open";
    while (pending.length && ws.readyState === WebSocket.OPEN) ws.send(pending.shift());
    emit("open", {});
  });
  ws.addEventListener("message", (event) => {
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    if (frame.type === "account.suspended") suspension = frame;
    emit(frame.type, frame);
    emit("*", frame);
  });
  ws.addEventListener("close", (event) => {
    document.body.dataset.socket = "closed";
    emit("close", { code: event.code });
    // 4401: not logged in; 4001: this session ended elsewhere. Don't hammer the server.
    if (event.code === 4401 || event.code === 4001) {
      closedByServer = true;
      document.body.dataset.session = "ended";
      emit("ended", { code: event.code, suspension });
      return;
    }
    const delay = Math.min(30000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt += 1;
    setTimeout(connect, delay);
  });
}

export const socket = {
  on(type, handler) {
    if (!listeners.has(type)) listeners.set(type, new Set());
    listeners.get(type).add(handler);
    return () => listeners.get(type).delete(handler);
  },
  send(frame) {
    const text = JSON.stringify(frame);
    if (ws && ws.readyState === WebSocket.OPEN) { ws.send(text); return true; }
    pending.push(text);
    return false;
  },
  get isOpen() { return !!ws && ws.readyState === WebSocket.OPEN; },
  get endedByServer() { return closedByServer; },
  start() { if (!ws) connect(); },
};
