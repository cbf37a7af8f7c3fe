// Video calls in a dialog: WebRTC peer to peer, signalled with `call.*` frames over the socket
// (the server relays them only to the other person). Before calling, the panel says in plain
// words whether a camera and a microphone are available. Screen sharing replaces the camera
// track of the running connection (no renegotiation needed).
import { socket } from "./socket.js";
import { fill } from "./chat-render.js";
import { formatDuration } from "./media-recorder.js";

const RING_MS = 30000;

function newCallId() {
  return crypto.randomUUID ? crypto.randomUUID()
    : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
}

export async function describeDevices(S) {
  if (!navigator.mediaDevices?.enumerateDevices || !window.RTCPeerConnection) return { text: S.call_unsupported, ok: false };
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  const mic = devices.some((d) => d.kind === "audioinput");
  const cam = devices.some((d) => d.kind === "videoinput");
  if (mic && cam) return { text: S.call_devices_ok, ok: true, mic, cam };
  if (mic) return { text: S.call_no_camera, ok: true, mic, cam };
  if (cam) return { text: S.call_no_mic, ok: true, mic, cam };
  return { text: S.call_no_devices, ok: false, mic, cam };
}

export function initCall({ chatId, partnerName, iceServers, strings: S }) {
  const panel = document.getElementById("call");
  const startButton = document.getElementById("call-start");
  if (!panel || !startButton) return;
  const $ = (id) => document.getElementById(id);
  const status = $("call-status");
  const devicesLine = $("call-devices");
  const remote = $("call-remote");
  const local = $("call-local");
  const buttons = {
    dial: $("call-dial"), accept: $("call-accept"), decline: $("call-decline"), mic: $("call-mic"),
    cam: $("call-cam"), screen: $("call-screen"), hangup: $("call-hangup"), close: $("call-close"),
  };
  const REF = `call-${chatId}`;
  const videos = panel.querySelector(".call-videos");
  // The running call's length, shown next to the status while the call is active.
  const timer = document.createElement("time");
  timer.className = "call-timer";
  timer.id = "call-timer";
  timer.hidden = true;
  status.after(timer);
  let tick = null;

  let phase = "idle"; // idle | prepare | outgoing | incoming | connecting | active
  let callId = null;
  let caller = false;
  let pc = null;
  let stream = null;
  let screenTrack = null;
  let startedAt = 0;
  let ringTimer = null;
  let devices = { mic: true, cam: true };
  let pendingIce = [];
  let videoSender = null;

  function send(type, extra = {}) { socket.send({ type, chat: chatId, call: callId, ...extra, ref: REF }); }
  function say(text) { status.textContent = text; }

  function showTimer() {
    const seconds = Math.floor((Date.now() - startedAt) / 1000);
    timer.textContent = formatDuration(seconds);
    timer.dateTime = `PT${seconds}S`;
  }

  function show(which) {
    panel.hidden = phase === "idle";
    panel.dataset.phase = phase;
    // Video areas only while there is (or is about to be) video: an ended call leaves a short
    // status line with Close, not a black panel over the chat.
    if (videos) videos.hidden = !["outgoing", "incoming", "connecting", "active"].includes(phase);
    clearInterval(tick);
    timer.hidden = phase !== "active";
    if (phase === "active") { showTimer(); tick = setInterval(showTimer, 1000); }
    for (const [name, button] of Object.entries(buttons)) button.hidden = !which.includes(name);
  }

  function setPhase(next, which) { phase = next; show(which); }

  async function openMedia() {
    stream = await navigator.mediaDevices.getUserMedia({ audio: devices.mic, video: devices.cam });
    local.srcObject = stream;
    local.play().catch(() => {});
    buttons.mic.setAttribute("aria-pressed", "true");
    buttons.cam.setAttribute("aria-pressed", devices.cam ? "true" : "false");
  }

  function connection() {
    if (pc) return pc;
    pc = new RTCPeerConnection({ iceServers });
    for (const track of stream?.getTracks() || []) {
      const sender = pc.addTrack(track, stream);
      if (track.kind === "video") videoSender = sender;
    }
    pc.addEventListener("icecandidate", (event) => { if (event.candidate) send("call.ice", { candidate: event.candidate.toJSON() }); });
    pc.addEventListener("track", (event) => {
      if (remote.srcObject !== event.streams[0]) { remote.srcObject = event.streams[0]; remote.play().catch(() => {}); }
      if (phase !== "active") {
        startedAt = Date.now();
        setPhase("active", ["mic", "cam", "screen", "hangup"]);
        say(fill(S.call_active, { name: partnerName }));
      }
    });
    pc.addEventListener("connectionstatechange", () => {
      if (pc && (pc.connectionState === "failed")) { say(S.call_failed); }
    });
    return pc;
  }

  async function flushIce() {
    for (const candidate of pendingIce.splice(0)) await pc.addIceCandidate(candidate).catch(() => {});
  }

  function cleanup(message) {
    clearTimeout(ringTimer);
    pc?.close();
    pc = null;
    videoSender = null;
    stream?.getTracks().forEach((t) => t.stop());
    screenTrack?.stop();
    stream = null;
    screenTrack = null;
    remote.srcObject = null;
    local.srcObject = null;
    pendingIce = [];
    callId = null;
    devicesLine.textContent = "";
    setPhase(message ? "ended" : "idle", message ? ["close"] : []);
    panel.hidden = !message;
    if (message) say(message);
    startButton.disabled = false;
  }

  async function prepare() {
    if (phase !== "idle" && phase !== "ended") return;
    setPhase("prepare", ["dial", "close"]);
    startButton.disabled = true;
    say(fill(S.call_prepare, { name: partnerName }));
    const info = await describeDevices(S);
    devices = info;
    devicesLine.textContent = info.text;
    buttons.dial.disabled = !info.ok;
  }

  async function dial() {
    if (phase !== "prepare") return;
    try { await openMedia(); } catch { say(S.call_no_access); return; }
    callId = newCallId();
    caller = true;
    setPhase("outgoing", ["mic", "cam", "hangup"]);
    say(fill(S.call_calling, { name: partnerName }));
    send("call.ring", { video: devices.cam });
    ringTimer = setTimeout(() => { if (phase === "outgoing") { send("call.end", { state: "missed" }); cleanup(S.call_no_answer); } }, RING_MS);
  }

  async function accept() {
    if (phase !== "incoming") return;
    devices = await describeDevices(S);
    try { await openMedia(); } catch { say(S.call_no_access); return; }
    setPhase("connecting", ["mic", "cam", "hangup"]);
    say(S.call_connecting);
    connection();
    send("call.accept");
  }

  function hangUp() {
    if (!callId) { cleanup(); return; }
    const answered = phase === "active";
    send("call.end", { state: answered ? "answered" : "missed", duration: answered ? (Date.now() - startedAt) / 1000 : 0 });
    cleanup(answered ? fill(S.call_ended, { time: formatDuration((Date.now() - startedAt) / 1000) }) : S.call_cancelled);
  }

  function toggleTrack(kind, button) {
    const track = stream?.getTracks().find((t) => t.kind === kind);
    if (!track) return;
    track.enabled = !track.enabled;
    button.setAttribute("aria-pressed", track.enabled ? "true" : "false");
  }

  async function toggleScreen() {
    const sender = pc ? videoSender : null;
    const camera = stream?.getVideoTracks()[0];
    if (screenTrack) {
      screenTrack.stop();
      screenTrack = null;
      if (sender && camera) await sender.replaceTrack(camera);
      local.srcObject = stream;
      buttons.screen.setAttribute("aria-pressed", "false");
      panel.dataset.screen = "off";
      return;
    }
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
      screenTrack = display.getVideoTracks()[0];
    } catch {
      say(S.call_screen_unavailable);
      panel.dataset.screen = "unavailable";
      return;
    }
    if (sender) await sender.replaceTrack(screenTrack);
    local.srcObject = new MediaStream([screenTrack]);
    buttons.screen.setAttribute("aria-pressed", "true");
    panel.dataset.screen = "on";
    screenTrack.addEventListener("ended", () => { if (screenTrack) toggleScreen(); });
  }

  const mine = (frame) => frame.chat === chatId && frame.call === callId;

  socket.on("call.ring", (frame) => {
    if (frame.chat !== chatId) return;
    if (phase !== "idle" && phase !== "prepare" && phase !== "ended") return; // busy: it rings out
    callId = frame.call;
    caller = false;
    setPhase("incoming", ["accept", "decline"]);
    startButton.disabled = true;
    say(fill(S.call_incoming, { name: partnerName }));
    describeDevices(S).then((info) => { devicesLine.textContent = info.text; });
    buttons.accept.focus();
  });
  socket.on("call.accept", async (frame) => {
    if (!mine(frame) || !caller || phase !== "outgoing") return;
    clearTimeout(ringTimer);
    setPhase("connecting", ["mic", "cam", "hangup"]);
    say(S.call_connecting);
    const connectionNow = connection();
    const offer = await connectionNow.createOffer();
    await connectionNow.setLocalDescription(offer);
    send("call.offer", { sdp: offer.sdp });
  });
  socket.on("call.offer", async (frame) => {
    if (!mine(frame)) return;
    const connectionNow = connection();
    await connectionNow.setRemoteDescription({ type: "offer", sdp: frame.sdp });
    await flushIce();
    const answer = await connectionNow.createAnswer();
    await connectionNow.setLocalDescription(answer);
    send("call.answer", { sdp: answer.sdp });
  });
  socket.on("call.answer", async (frame) => {
    if (!mine(frame) || !pc) return;
    await pc.setRemoteDescription({ type: "answer", sdp: frame.sdp });
    await flushIce();
  });
  socket.on("call.ice", async (frame) => {
    if (!mine(frame)) return;
    if (pc?.remoteDescription) await pc.addIceCandidate(frame.candidate).catch(() => {});
    else pendingIce.push(frame.candidate);
  });
  socket.on("call.decline", (frame) => { if (mine(frame)) cleanup(fill(S.call_declined_by, { name: partnerName })); });
  socket.on("call.end", (frame) => {
    if (!mine(frame)) return;
    cleanup(phase === "incoming" ? fill(S.call_missed_from, { name: partnerName }) : S.call_finished);
  });
  socket.on("error", (frame) => { if (frame.ref === REF && callId) cleanup(frame.detail); });

  startButton.addEventListener("click", prepare);
  buttons.dial.addEventListener("click", dial);
  buttons.accept.addEventListener("click", accept);
  buttons.decline.addEventListener("click", () => { send("call.decline"); cleanup(); });
  buttons.hangup.addEventListener("click", hangUp);
  buttons.close.addEventListener("click", () => cleanup());
  buttons.mic.addEventListener("click", () => toggleTrack("audio", buttons.mic));
  buttons.cam.addEventListener("click", () => toggleTrack("video", buttons.cam));
  buttons.screen.addEventListener("click", toggleScreen);
  window.addEventListener("pagehide", () => { if (callId && phase !== "incoming") hangUp(); });

  // "Join" on the ring banner of another page (call-ring.js) opens this dialog with
  // ?answer=<call id>: answer that call at once (the click there was the person's consent).
  const params = new URLSearchParams(location.search);
  const answering = params.get("answer");
  if (answering) {
    params.delete("answer");
    history.replaceState(history.state, "", location.pathname + (params.size ? `?${params}` : "") + location.hash);
    callId = answering;
    caller = false;
    setPhase("incoming", ["accept", "decline"]);
    startButton.disabled = true;
    say(fill(S.call_incoming, { name: partnerName }));
    accept();
  }
}
