// The topic of a video being uploaded: suggested from the caption while the creator types (until
// they pick one themselves), then saved as soon as the upload has created the video.
import { api } from "./common.js";

const select = document.querySelector('[data-testid="upload-topic"]');
const caption = document.querySelector('[data-testid="upload-caption"]');
const hint = document.querySelector("[data-topic-hint]");
const suggestedText = document.querySelector("[data-topic-suggested-text]")?.textContent || "";
let chosenByHand = false;
let timer = null;

async function suggest() {
  if (chosenByHand || !caption.value.trim()) return;
  try {
    const result = await api(`/api/v1/topics/suggest?caption=${encodeURIComponent(caption.value.slice(0, 2000))}`);
    if (chosenByHand) return;
    if (result.topic) {
      select.value = result.topic.slug;
      hint.textContent = suggestedText.replace("{topic}", result.topic.label);
    }
  } catch {
    // No suggestion: the creator can still choose.
  }
}

if (select && caption) {
  select.addEventListener("change", () => {
    chosenByHand = true;
  });
  caption.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 300);
  });
  document.addEventListener("kilas:uploaded", async (event) => {
    const topic = select.value;
    if (!topic) return;
    try {
      await api(`/api/v1/videos/${event.detail.videoId}/topic`, { method: "PUT", json: { topic } });
    } catch {
      // The topic can still be set on the video's page.
    }
  });
}
