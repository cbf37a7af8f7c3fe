// Recording voice messages and video circles in the composer with the browser's MediaRecorder.
// Hold the button to record and release to stop, or click it once to start and again to stop
// (keyboard users: Enter or Space). The recording is previewed before it is sent; sending
// uploads it (kind, length and, for voice, 0-255 loudness bars measured with Web Audio) and
// hands the attachment to `onRecorded`, which sends the message through the outbox.
import { csrfToken, el, fill } from "./chat-render.js";

const HOLD_MS = 450;
const CIRCLE_MAX_S = 60;
const VOICE_MAX_S = 15 * 60;
const BARS = 64;
const TYPES = {
  voice: ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"],
  circle: ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"],
};

export function formatDuration(seconds) {
  const total = Math.max(0, Math.round(seconds || 0));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

function pickType(kind) {
  if (!window.MediaRecorder) return null;
  return TYPES[kind].find((type) => MediaRecorder.isTypeSupported(type)) ?? "";
}

// Average the measured levels into at most BARS bars scaled to 0-255.
function bars(levels) {
  if (!levels.length) return [];
  const count = Math.min(BARS, levels.length);
  const peak = Math.max(...levels, 1e-6);
  const out = [];
  for (let i = 0; i < count; i += 1) {
    const from = Math.floor((i * levels.length) / count);
    const to = Math.max(from + 1, Math.floor(((i + 1) * levels.length) / count));
    const slice = levels.slice(from, to);
    out.push(Math.min(255, Math.round((slice.reduce((a, b) => a + b, 0) / slice.length / peak) * 255)));
  }
  return out;
}

export function initRecorders({ uploadUrl, strings: S, onRecorded }) {
  const panel = document.getElementById("recorder");
  const status = document.getElementById("recorder-status");
  const live = document.getElementById("recorder-live");
  const preview = document.getElementById("recorder-preview");
  const stopButton = document.getElementById("recorder-stop");
  const sendButton = document.getElementById("recorder-send");
  const discardButton = document.getElementById("recorder-discard");
  const buttons = { voice: document.getElementById("record-voice"), circle: document.getElementById("record-circle") };

  let phase = "idle"; // idle | starting | recording | preview | sending
  let kind = null;
  let stream = null;
  let recorder = null;
  let chunks = [];
  let startedAt = 0;
  let timer = null;
  let levels = [];
  let audioContext = null;
  let result = null; // {blob, duration, waveform, url}

  function say(text, alert = false) {
    status.textContent = text;
    status.setAttribute("role", alert ? "alert" : "status");
  }

  function setPressed() {
    for (const [k, button] of Object.entries(buttons)) {
      button.setAttribute("aria-pressed", phase === "recording" && kind === k ? "true" : "false");
      button.disabled = phase === "sending" || ((phase === "recording" || phase === "starting") && kind !== k);
    }
  }

  function release() {
    clearInterval(timer);
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    audioContext?.close().catch(() => {});
    audioContext = null;
    live.srcObject = null;
    live.hidden = true;
  }

  function reset() {
    release();
    if (result?.url) URL.revokeObjectURL(result.url);
    result = null;
    phase = "idle";
    panel.hidden = true;
    panel.dataset.phase = "idle";
    preview.replaceChildren();
    setPressed();
  }

  function measure(source) {
    try {
      audioContext = new AudioContext();
      const analyser = audioContext.createAnalyser();
      analyser.fftSize = 512;
      audioContext.createMediaStreamSource(source).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      return () => {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const v of samples) sum += v * v;
        levels.push(Math.sqrt(sum / samples.length));
      };
    } catch {
      return () => {};
    }
  }

  async function start(which) {
    if (phase !== "idle") return;
    const type = pickType(which);
    if (type === null || !navigator.mediaDevices?.getUserMedia) { panel.hidden = false; say(S.rec_unsupported, true); return; }
    kind = which;
    phase = "starting";
    panel.hidden = false;
    panel.dataset.kind = kind;
    preview.replaceChildren();
    setPressed();
    say(S.rec_starting);
    try {
      stream = await navigator.mediaDevices.getUserMedia(kind === "circle"
        ? { audio: true, video: { width: { ideal: 480 }, height: { ideal: 480 }, facingMode: "user" } }
        : { audio: true });
    } catch (err) {
      phase = "idle";
      setPressed();
      say(kind === "circle" ? S.rec_no_camera : S.rec_no_mic, true);
      return;
    }
    if (phase !== "starting") { release(); return; } // cancelled meanwhile
    chunks = [];
    levels = [];
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    recorder.addEventListener("dataavailable", (event) => { if (event.data.size) chunks.push(event.data); });
    recorder.addEventListener("stop", finish);
    const sample = kind === "voice" ? measure(stream) : () => {};
    if (kind === "circle") { live.srcObject = stream; live.hidden = false; live.play().catch(() => {}); }
    recorder.start(250);
    startedAt = performance.now();
    phase = "recording";
    panel.dataset.phase = "recording";
    stopButton.hidden = false;
    sendButton.hidden = true;
    setPressed();
    const limit = kind === "circle" ? CIRCLE_MAX_S : VOICE_MAX_S;
    const tick = () => {
      const seconds = (performance.now() - startedAt) / 1000;
      sample();
      say(fill(S.rec_recording, { time: formatDuration(seconds) }) + (kind === "circle" ? ` / ${formatDuration(limit)}` : ""));
      if (seconds >= limit) stop();
    };
    tick();
    timer = setInterval(tick, 100);
  }

  function stop() {
    if (phase === "starting") { reset(); return; }
    if (phase !== "recording") return;
    phase = "stopping";
    clearInterval(timer);
    recorder.requestData?.();
    recorder.stop();
  }

  function finish() {
    const limit = kind === "circle" ? CIRCLE_MAX_S : VOICE_MAX_S;
    const duration = Math.min(limit, (performance.now() - startedAt) / 1000);
    const blob = new Blob(chunks, { type: recorder.mimeType || chunks[0]?.type || "" });
    release();
    if (duration < 0.5 || !blob.size) { reset(); panel.hidden = false; say(S.rec_too_short, true); return; }
    result = { blob, duration, waveform: kind === "voice" ? bars(levels) : [], url: URL.createObjectURL(blob) };
    const media = kind === "circle"
      ? el("video", { class: "circle-video", src: result.url, controls: true, playsinline: true, "aria-label": S.rec_preview })
      : el("audio", { src: result.url, controls: true, "aria-label": S.rec_preview });
    preview.replaceChildren(media);
    phase = "preview";
    panel.dataset.phase = "preview";
    stopButton.hidden = true;
    sendButton.hidden = false;
    setPressed();
    say(fill(S.rec_ready, { time: formatDuration(duration) }));
    sendButton.focus();
  }

  async function send() {
    if (phase !== "preview" || !result) return;
    phase = "sending";
    setPressed();
    sendButton.disabled = true;
    say(S.uploading);
    const subtype = (result.blob.type.split(";")[0].split("/")[1] || "webm").replace("x-matroska", "webm");
    const body = new FormData();
    body.append("file", result.blob, `${kind}.${subtype === "ogg" ? "ogg" : subtype === "mp4" ? "mp4" : "webm"}`);
    body.append("kind", kind);
    body.append("duration", result.duration.toFixed(2));
    if (kind === "voice") body.append("waveform", JSON.stringify(result.waveform));
    try {
      const response = await fetch(uploadUrl, { method: "POST", body, headers: { "X-CSRFToken": csrfToken() } });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.error || S.rec_failed);
      reset();
      onRecorded(data);
    } catch (err) {
      phase = "preview";
      setPressed();
      say(err.message || S.rec_failed, true);
    } finally {
      sendButton.disabled = false;
    }
  }

  for (const [which, button] of Object.entries(buttons)) {
    let pressedAt = 0; // set by a pointer press that started a recording
    button.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || phase !== "idle") return;
      pressedAt = Date.now();
      start(which);
    });
    button.addEventListener("pointerup", () => {
      if (pressedAt && Date.now() - pressedAt > HOLD_MS) { stop(); pressedAt = -1; }
    });
    button.addEventListener("click", () => {
      // A press already started (a short press keeps recording) or ended (held) it.
      if (pressedAt) { pressedAt = 0; return; }
      if (phase === "recording" || phase === "starting") stop();
      else start(which);
    });
  }
  stopButton.addEventListener("click", stop);
  sendButton.addEventListener("click", send);
  discardButton.addEventListener("click", () => {
    if (phase === "recording") { recorder.removeEventListener("stop", finish); recorder.stop(); }
    reset();
  });
  return { reset };
}
