// Engagement events, batched: each gets an id here, so a batch sent twice (a retry after a dropped
// connection) is counted once by the server. Sent every few seconds, when 50 are waiting, and when
// the page is hidden or closed (fetch with keepalive outlives the page).
import { csrfToken } from "./common.js";

const FLUSH_EVERY_MS = 5000;
const FLUSH_AT = 50;
const MAX_WAITING = 500;
let waiting = [];
let inFlight = null;
let timer = 0;

// Time first, then randomness: ids made close together sort close together, which keeps the
// server's index of event ids cheap to grow.
export function newId() {
  const random = new Uint32Array(3);
  crypto.getRandomValues(random);
  return `${Date.now().toString(36).padStart(9, "0")}-${Array.from(random, (n) => n.toString(36)).join("")}`;
}

export function track(type, videoId, fields = {}) {
  waiting.push({ event_id: newId(), type, video_id: videoId, occurred_at: new Date().toISOString(), ...fields });
  if (waiting.length > MAX_WAITING) waiting = waiting.slice(-MAX_WAITING);
  if (waiting.length >= FLUSH_AT) flush();
  else if (!timer) timer = window.setTimeout(flush, FLUSH_EVERY_MS);
}

export async function flush({ leaving = false } = {}) {
  window.clearTimeout(timer);
  timer = 0;
  if (inFlight || !waiting.length) return;
  const batch = waiting.slice(0, 500);
  inFlight = batch;
  try {
    const response = await fetch("/api/v1/events", {
      method: "POST",
      credentials: "same-origin",
      keepalive: leaving,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify({ events: batch }),
    });
    // Acknowledged (stored durably; the counters follow in a moment) or refused for good, e.g.
    // malformed: either way these are done. Kept on 5xx/429 and sent again with the same ids.
    if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
      waiting = waiting.filter((event) => !batch.includes(event));
    }
  } catch {
    // Offline: the same events (same ids) go again with the next flush.
  } finally {
    inFlight = null;
    if (waiting.length && !timer) timer = window.setTimeout(flush, FLUSH_EVERY_MS);
  }
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flush({ leaving: true });
});
window.addEventListener("pagehide", () => flush({ leaving: true }));
