// Inline players of voice messages (play/pause, waveform, seek slider, time) and video circles
// (round, playing muted in a loop until clicked; a click plays it from the start with sound).
import { el, icon } from "./chat-render.js";
import { formatDuration } from "./media-recorder.js";

let playing = null; // one recording at a time

function exclusive(media) {
  if (playing && playing !== media) playing.pause();
  playing = media;
}

export function voiceNode(a, S) {
  const duration = a.duration || 0;
  const audio = el("audio", { src: a.url, preload: "metadata" });
  const button = el("button", { type: "button", class: "voice-play", "aria-label": S.play_voice, title: S.play_voice },
    icon("play"));
  const levels = a.waveform?.length ? a.waveform : Array(32).fill(96);
  const wave = el("div", { class: "voice-wave", "aria-hidden": "true" },
    levels.map((v) => el("span", { style: `height:${Math.max(8, Math.round((v / 255) * 100))}%` })));
  const slider = el("input", { type: "range", class: "voice-seek", min: 0, max: duration.toFixed(1), step: "0.1", value: 0,
    "aria-label": S.position });
  const time = el("span", { class: "voice-time muted" }, formatDuration(duration));
  const node = el("figure", { class: "voice-msg", dataset: { kind: "voice" } }, button,
    el("div", { class: "voice-track" }, wave, slider), time, audio);

  function show() {
    const total = duration || (Number.isFinite(audio.duration) ? audio.duration : 0);
    const at = audio.currentTime;
    slider.value = String(at);
    const played = total ? at / total : 0;
    wave.querySelectorAll("span").forEach((bar, i, all) => bar.classList.toggle("played", i / all.length < played));
    time.textContent = audio.paused && at === 0 ? formatDuration(total) : formatDuration(at);
  }
  button.addEventListener("click", () => {
    if (audio.paused) { exclusive(audio); audio.play().catch(() => {}); } else audio.pause();
  });
  audio.addEventListener("play", () => {
    button.replaceChildren(icon("pause"));
    button.setAttribute("aria-label", S.pause); button.title = S.pause;
  });
  audio.addEventListener("pause", () => {
    button.replaceChildren(icon("play"));
    button.setAttribute("aria-label", S.play_voice); button.title = S.play_voice;
  });
  audio.addEventListener("timeupdate", show);
  audio.addEventListener("ended", () => { audio.currentTime = 0; show(); });
  slider.addEventListener("input", () => { audio.currentTime = Number(slider.value); show(); });
  return node;
}

export function circleNode(a, S) {
  const video = el("video", { class: "circle-video", src: a.url, muted: true, autoplay: true, loop: true,
    playsinline: true, preload: "auto", "aria-hidden": "true" });
  video.muted = true; // the attribute alone does not mute a video created by script
  const button = el("button", { type: "button", class: "circle-play", "aria-label": S.play_circle, title: S.play_circle },
    el("span", { class: "circle-badge" }, formatDuration(a.duration)));
  const node = el("figure", { class: "circle-msg", dataset: { kind: "circle", state: "preview" } }, video, button);
  button.addEventListener("click", () => {
    if (node.dataset.state === "preview" || video.paused) {
      if (node.dataset.state === "preview") { video.currentTime = 0; video.loop = false; }
      node.dataset.state = "playing";
      video.muted = false;
      exclusive(video);
      video.play().catch(() => {});
      button.setAttribute("aria-label", S.pause);
    } else {
      video.pause();
      node.dataset.state = "paused";
      button.setAttribute("aria-label", S.play_circle);
    }
  });
  video.addEventListener("ended", () => {
    node.dataset.state = "preview";
    video.muted = true;
    video.loop = true;
    button.setAttribute("aria-label", S.play_circle);
    video.play().catch(() => {});
  });
  return node;
}
