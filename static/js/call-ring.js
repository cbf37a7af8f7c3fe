// The incoming-call banner of every signed-in page: a `call.ring` reaches all the callee's
// sockets, so whatever page is open shows who is calling, plays a ring tone (WebAudio, no file
// to load) and puts the caller's name in the tab title. "Join" opens the dialog with
// `?answer=<call id>`, which call.js picks up to answer at once; "Decline" declines from here.
// The dialog page of that very chat rings in its own call panel instead (call.js).
import { socket } from "./socket.js";
import { fill } from "./chat-render.js";

const banner = document.getElementById("call-ring");
let current = null; // {chat, call}
let audio = null;
let toneTimer = null;
let savedTitle = null;

function audioContext() {
  if (!audio) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    audio = new Context();
    audio.addEventListener("statechange", () => {
      if (banner && current) banner.dataset.tone = audio.state === "running" ? "playing" : "blocked";
    });
  }
  return audio;
}

// Browsers may keep audio suspended until the person interacts with the page: the first
// click or key press on any page readies it, so a later ring is heard.
function unlock() { audioContext()?.resume().catch(() => {}); }
for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, unlock, { once: true, capture: true });

function beep(context) {
  const now = context.currentTime;
  const gain = context.createGain();
  gain.gain.setValueAtTime(0, now);
  gain.connect(context.destination);
  for (const [freq, start] of [[440, 0], [480, 0]]) {
    const osc = context.createOscillator();
    osc.frequency.value = freq;
    osc.connect(gain);
    osc.start(now + start);
    osc.stop(now + 1.2);
  }
  gain.gain.linearRampToValueAtTime(0.08, now + 0.05);
  gain.gain.setValueAtTime(0.08, now + 1.1);
  gain.gain.linearRampToValueAtTime(0, now + 1.2);
}

function startTone() {
  const context = audioContext();
  if (!context) { banner.dataset.tone = "unsupported"; return; }
  context.resume().catch(() => {});
  beep(context);
  toneTimer = setInterval(() => beep(context), 3000);
  banner.dataset.tone = context.state === "running" ? "playing" : "blocked";
}

function stopTone() {
  clearInterval(toneTimer);
  toneTimer = null;
  if (banner) banner.dataset.tone = "off";
}

async function callerName(chatId) {
  try {
    const response = await fetch(`/api/v1/chats/${chatId}`, { headers: { Accept: "application/json" } });
    if (response.ok) return (await response.json()).title;
  } catch { /* the banner still rings, with a generic name */ }
  return banner.dataset.someone;
}

function hide() {
  if (!current) return;
  current = null;
  stopTone();
  banner.hidden = true;
  if (savedTitle !== null) { document.title = savedTitle; savedTitle = null; }
}

async function ring(frame) {
  if (current || document.querySelector(`#call[data-chat="${frame.chat}"]`)) return;
  // Already in (or placing) a call on this page: busy, the new call rings out as in call.js.
  if (["outgoing", "incoming", "connecting", "active"].includes(document.getElementById("call")?.dataset.phase)) return;
  current = { chat: frame.chat, call: frame.call };
  const name = await callerName(frame.chat);
  if (!current || current.call !== frame.call) return; // ended while the name was fetched
  banner.querySelector("[data-text]").textContent = fill(banner.dataset.text, { name });
  const join = banner.querySelector("[data-join]");
  join.href = `/chats/${frame.chat}/?answer=${encodeURIComponent(frame.call)}`;
  banner.hidden = false;
  savedTitle = document.title;
  document.title = fill(banner.dataset.title, { name });
  startTone();
}

if (banner) {
  socket.on("call.ring", ring);
  const ended = (frame) => { if (current && frame.chat === current.chat && frame.call === current.call) hide(); };
  socket.on("call.end", ended);
  socket.on("call.decline", ended);
  socket.on("ended", hide);
  banner.querySelector("[data-decline]").addEventListener("click", () => {
    if (current) socket.send({ type: "call.decline", chat: current.chat, call: current.call });
    hide();
  });
  banner.querySelector("[data-join]").addEventListener("click", stopTone);
}
