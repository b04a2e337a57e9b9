// The page of one video: attach its subtitles to the player as <track> elements, and the
// "Show subtitles" toggle. The player itself is built by feed.js; we wait for its <video>.
import { readJson } from "./common.js";

const data = readJson("knowledge-data", { video_id: null, subtitles: [] });
const toggle = document.querySelector("[data-subtitles-toggle]");
let showing = false;

function playerVideo() {
  return document.querySelector(`[data-testid="slide"][data-video-id="${data.video_id}"] video`);
}

function attachTracks(video) {
  if (video.dataset.subtitlesAttached) return;
  video.dataset.subtitlesAttached = "1";
  const lang = document.documentElement.lang || "id";
  data.subtitles.forEach((subtitle, index) => {
    const track = document.createElement("track");
    track.kind = "subtitles";
    track.src = subtitle.url;
    track.srclang = subtitle.language;
    track.label = subtitle.label;
    track.dataset.testid = "subtitle-track";
    if (subtitle.language === lang || (index === 0 && !data.subtitles.some((s) => s.language === lang))) {
      track.dataset.preferred = "1";
    }
    video.append(track);
  });
  render();
}

function render() {
  const video = playerVideo();
  if (toggle) {
    toggle.setAttribute("aria-pressed", String(showing));
    toggle.textContent = showing ? toggle.dataset.labelOn : toggle.dataset.labelOff;
  }
  if (!video) return;
  const tracks = Array.from(video.querySelectorAll("track"));
  const preferred = tracks.find((track) => track.dataset.preferred) || tracks[0];
  for (const track of tracks) {
    track.track.mode = showing && track === preferred ? "showing" : "hidden";
  }
}

if (data.subtitles.length) {
  const existing = playerVideo();
  if (existing) {
    attachTracks(existing);
  } else {
    const observer = new MutationObserver(() => {
      const video = playerVideo();
      if (video) {
        observer.disconnect();
        attachTracks(video);
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }
  toggle?.addEventListener("click", () => {
    showing = !showing;
    render();
  });
}
