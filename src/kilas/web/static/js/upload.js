// The upload page: pick a video, preview it, send it with tus (resumable, survives a lost connection
// or a reload), then follow its processing until it is ready to watch.

import { api, compactNumber, csrfToken, el, formatMegabytes, readJson, t } from "/static/js/common.js";

const MB = 1024 * 1024;
const CHUNK_SIZE = 5 * MB;
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
const STATUS_POLL_MS = 2000;
const SLOW_STATUS_POLL_MS = 5000;
const RECENT_POLL_MS = 5000;
const RECONNECT_EVERY_MS = 15000;
// Upload-Metadata is capped by the server; a caption too long for it is saved right after the upload.
const MAX_CAPTION_METADATA_BYTES = 4000;
const CAPTION_MAX = 2200;

const config = readJson("upload-config", {}) || {};
const maxBytes = (Number(config.max_upload_mb) || 500) * MB;
const maxSeconds = (Number(config.max_minutes) || 10) * 60;

const form = document.querySelector("[data-upload-form]");
const fileInput = document.querySelector('[data-testid="upload-file"]');
const picker = document.querySelector("[data-file-picker]");
const dropZone = document.querySelector("[data-drop-zone]");
const preview = document.querySelector("[data-preview]");
const previewVideo = document.querySelector("[data-preview-video]");
const fileName = document.querySelector("[data-file-name]");
const fileDetails = document.querySelector("[data-file-details]");
const changeFile = document.querySelector("[data-change-file]");
const caption = document.querySelector('[data-testid="upload-caption"]');
const counter = document.querySelector("[data-caption-counter]");
const visibility = document.querySelector('[data-testid="upload-visibility"]');
const errorText = document.querySelector("[data-upload-error]");
const submit = document.querySelector('[data-testid="upload-submit"]');
const progressBox = document.querySelector("[data-progress-box]");
const progress = document.querySelector('[data-testid="upload-progress"]');
const percentText = document.querySelector("[data-progress-percent]");
const detailText = document.querySelector("[data-progress-detail]");
const stateText = document.querySelector("[data-progress-state]");
const pauseButton = document.querySelector("[data-pause]");
const retryNowButton = document.querySelector("[data-retry-now]");
const cancelButton = document.querySelector("[data-cancel]");
const statusBox = document.querySelector('[data-testid="upload-status"]');
const recentList = document.querySelector("[data-recent-list]");
const recentEmpty = document.querySelector("[data-recent-empty]");

// idle → uploading ⇄ paused | waiting (connection) → processing → ready | failed; or rejected
const session = {
  phase: "idle",
  file: null,
  duration: null,
  previewUrl: null,
  upload: null,
  videoId: null,
  resumed: false,
  sentCaption: "",
  sentVisibility: "public",
  captionInMetadata: true,
  reconnectTimer: 0,
  pollTimer: 0,
  statusSource: null,
  pollStarted: 0,
};

// ---------------------------------------------------------------------------------------------
// Choosing a file

function showError(message) {
  errorText.textContent = message || "";
  errorText.hidden = !message;
}

function formatDuration(seconds) {
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = String(whole % 60).padStart(2, "0");
  return `${minutes}:${rest}`;
}

function looksLikeVideo(file) {
  // Some phones give 3GP or MKV files no type at all: let the server judge those.
  return !file.type || file.type.startsWith("video/") || file.type === "application/octet-stream";
}

function checkFile(file) {
  if (!file) return t("no_file");
  if (!looksLikeVideo(file)) return t("not_video");
  if (file.size > maxBytes) return t("too_large", { mb: Math.round(maxBytes / MB) });
  if (session.file === file && session.duration && session.duration > maxSeconds + 1) {
    return t("too_long", { minutes: Math.round(maxSeconds / 60) });
  }
  return "";
}

function renderFileDetails() {
  const file = session.file;
  if (!file) return;
  const parts = [`${formatMegabytes(file.size)} MB`];
  if (session.duration) parts.push(formatDuration(session.duration));
  fileDetails.textContent = parts.join(" · ");
}

function chooseFile(file) {
  if (isBusy()) return;
  if (session.phase !== "idle") resetForm({ keepCaption: true });
  showError("");
  if (session.previewUrl) URL.revokeObjectURL(session.previewUrl);
  session.previewUrl = null;
  session.file = file || null;
  session.duration = null;
  if (!file) {
    preview.hidden = true;
    picker.hidden = false;
    return;
  }
  const problem = checkFile(file);
  fileName.textContent = file.name;
  renderFileDetails();
  preview.hidden = false;
  picker.hidden = true;
  preview.classList.remove("no-preview");
  if (problem) {
    showError(problem);
    previewVideo.removeAttribute("src");
    preview.classList.add("no-preview");
    return;
  }
  session.previewUrl = URL.createObjectURL(file);
  previewVideo.src = session.previewUrl;
}

previewVideo.addEventListener("loadedmetadata", () => {
  if (Number.isFinite(previewVideo.duration)) {
    session.duration = previewVideo.duration;
    renderFileDetails();
    const problem = checkFile(session.file);
    if (problem) showError(problem);
  }
});

previewVideo.addEventListener("error", () => {
  if (!session.previewUrl) return;
  // The browser can't decode it (e.g. HEVC); the server may still accept it.
  preview.classList.add("no-preview");
  fileDetails.textContent = `${fileDetails.textContent} — ${t("preview_unavailable")}`;
});

fileInput.addEventListener("change", () => chooseFile(fileInput.files && fileInput.files[0]));
changeFile.addEventListener("click", () => fileInput.click());

for (const type of ["dragenter", "dragover"]) {
  dropZone.addEventListener(type, (event) => {
    if (isBusy()) return;
    event.preventDefault();
    dropZone.classList.add("dragging");
  });
}
for (const type of ["dragleave", "drop"]) {
  dropZone.addEventListener(type, () => dropZone.classList.remove("dragging"));
}
dropZone.addEventListener("drop", (event) => {
  if (isBusy()) return;
  event.preventDefault();
  const files = event.dataTransfer && event.dataTransfer.files;
  if (!files || files.length === 0) return;
  try {
    fileInput.files = files;
  } catch {
    // Older browsers can't assign a FileList; the dropped file is still used below.
  }
  chooseFile(files[0]);
});

function renderCounter() {
  const length = caption.value.length;
  counter.textContent = `${length}/${CAPTION_MAX}`;
  counter.classList.toggle("near-limit", length > CAPTION_MAX - 200);
}
caption.addEventListener("input", renderCounter);
renderCounter();

// ---------------------------------------------------------------------------------------------
// Uploading

function isBusy() {
  return ["uploading", "paused", "waiting"].includes(session.phase);
}

function lockForm(locked) {
  fileInput.disabled = locked;
  changeFile.disabled = locked;
  caption.readOnly = locked;
  visibility.disabled = locked;
  submit.hidden = locked;
  form.classList.toggle("is-locked", locked);
}

function setProgress(sent, total) {
  const percent = total > 0 ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
  progress.value = percent;
  progress.setAttribute("aria-valuetext", `${percent}%`);
  percentText.textContent = `${percent}%`;
  detailText.textContent = t("progress_detail", { sent: formatMegabytes(sent), total: formatMegabytes(total) });
}

function setUploadState(message, { waiting = false } = {}) {
  stateText.textContent = message;
  progressBox.classList.toggle("is-waiting", waiting);
  retryNowButton.hidden = !waiting;
}

function renderPauseButton() {
  pauseButton.textContent = session.phase === "paused" ? t("resume") : t("pause");
  pauseButton.hidden = !["uploading", "paused"].includes(session.phase);
}

function errorStatus(error) {
  const response = error && error.originalResponse;
  return response ? response.getStatus() : 0;
}

function errorMessage(error) {
  const response = error && error.originalResponse;
  if (response) {
    try {
      const body = JSON.parse(response.getBody() || "{}");
      if (body && body.error && body.error.message) return body.error.message;
    } catch {
      // Not our JSON error shape.
    }
  }
  return t("upload_failed");
}

function isConnectionProblem(status) {
  return status === 0 || status >= 500 || status === 409 || status === 423;
}

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

async function startUpload() {
  const file = session.file;
  const problem = checkFile(file);
  if (problem) {
    showError(problem);
    (file ? submit : fileInput).focus();
    return;
  }
  const resumable = typeof window.tus !== "undefined" && window.tus.isSupported;
  if (!resumable && typeof FormData === "undefined") {
    showError(t("not_supported"));
    return;
  }
  showError("");
  statusBox.hidden = true;
  session.videoId = null;
  session.resumed = false;
  session.sentCaption = caption.value;
  session.sentVisibility = visibility.value;
  session.captionInMetadata = utf8Length(caption.value) <= MAX_CAPTION_METADATA_BYTES;
  if (!resumable) {
    startSingleRequestUpload(file);
    return;
  }
  const metadata = { filename: file.name.slice(-200), visibility: visibility.value };
  if (session.captionInMetadata) metadata.caption = caption.value;

  const upload = new window.tus.Upload(file, {
    endpoint: new URL("/api/v1/uploads", window.location.origin).toString(),
    chunkSize: CHUNK_SIZE,
    retryDelays: RETRY_DELAYS,
    removeFingerprintOnSuccess: true,
    headers: { "X-CSRF-Token": csrfToken() },
    metadata,
    onProgress: (sent, total) => setProgress(sent, total),
    onAfterResponse: (request, response) => {
      const id = response.getHeader("Kilas-Video-Id");
      if (id) session.videoId = Number(id);
    },
    onShouldRetry: (error) => {
      const retry = isConnectionProblem(errorStatus(error)) && navigator.onLine !== false;
      if (retry && session.phase === "uploading") setUploadState(t("reconnecting"));
      return retry;
    },
    onError: (error) => handleUploadError(error),
    onSuccess: () => handleUploadSuccess(),
  });
  session.upload = upload;
  session.phase = "uploading";
  lockForm(true);
  progressBox.hidden = false;
  setProgress(0, file.size);
  setUploadState(t("uploading"));
  renderPauseButton();

  try {
    const previous = await upload.findPreviousUploads();
    if (previous.length > 0) {
      previous.sort((a, b) => String(b.creationTime).localeCompare(String(a.creationTime)));
      upload.resumeFromPreviousUpload(previous[0]);
      session.resumed = true;
      setUploadState(t("resuming"));
    }
  } catch {
    // No stored uploads to resume (private mode, storage full): start afresh.
  }
  if (session.upload === upload && session.phase === "uploading") upload.start();
}

/** Without the resumable client (not installed), the whole file goes in one multipart request. */
function startSingleRequestUpload(file) {
  session.captionInMetadata = true;
  session.phase = "uploading";
  lockForm(true);
  progressBox.hidden = false;
  setProgress(0, file.size);
  setUploadState(t("uploading"));
  pauseButton.hidden = true;
  const body = new FormData();
  body.append("file", file, file.name);
  body.append("caption", session.sentCaption);
  body.append("visibility", session.sentVisibility);
  const request = new XMLHttpRequest();
  session.upload = { abort: () => Promise.resolve(request.abort()) };
  request.open("POST", "/api/v1/videos");
  request.setRequestHeader("X-CSRF-Token", csrfToken());
  request.setRequestHeader("Accept", "application/json");
  request.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) setProgress(event.loaded, event.total);
  });
  request.addEventListener("load", () => {
    let data = null;
    try {
      data = JSON.parse(request.responseText || "null");
    } catch {
      data = null;
    }
    if (request.status >= 200 && request.status < 300 && data && data.id) {
      session.videoId = data.id;
      handleUploadSuccess();
      return;
    }
    const message = data && data.error && data.error.message ? data.error.message : t("upload_failed");
    rejectUpload(message);
  });
  request.addEventListener("error", () => rejectUpload(t("error_network")));
  request.send(body);
}

function rejectUpload(message) {
  session.phase = "rejected";
  session.upload = null;
  progressBox.hidden = true;
  lockForm(false);
  showStatus("failed", { title: t("failed"), detail: message, again: true });
}

function handleUploadError(error) {
  if (!["uploading", "waiting"].includes(session.phase)) return;
  const status = errorStatus(error);
  // Errors without a request (the file could not be read) won't get better by waiting.
  if (error && error.originalRequest && isConnectionProblem(status)) {
    waitForConnection();
    return;
  }
  // The server said no (not a video, too long, too large, logged out…): show why.
  rejectUpload(errorMessage(error));
}

function waitForConnection() {
  session.phase = "waiting";
  renderPauseButton();
  setUploadState(navigator.onLine === false ? t("offline") : t("reconnecting"), { waiting: true });
  window.clearTimeout(session.reconnectTimer);
  session.reconnectTimer = window.setTimeout(resumeUpload, RECONNECT_EVERY_MS);
}

function resumeUpload() {
  window.clearTimeout(session.reconnectTimer);
  if (!session.upload || !["waiting", "paused"].includes(session.phase)) return;
  session.phase = "uploading";
  setUploadState(t("uploading"));
  renderPauseButton();
  session.upload.start();
}

function pauseUpload() {
  if (session.phase !== "uploading" || !session.upload) return;
  session.phase = "paused";
  session.upload.abort(false).catch(() => {});
  setUploadState(t("paused"));
  renderPauseButton();
}

async function cancelUpload() {
  if (!isBusy() || !window.confirm(t("cancel_confirm"))) return;
  window.clearTimeout(session.reconnectTimer);
  const upload = session.upload;
  session.upload = null;
  session.phase = "idle";
  progressBox.hidden = true;
  lockForm(false);
  showStatus("canceled", { title: t("canceled") });
  if (upload) {
    try {
      await upload.abort(true);
    } catch {
      // Unfinished uploads expire on the server anyway.
    }
  }
}

pauseButton.addEventListener("click", () => {
  if (session.phase === "paused") resumeUpload();
  else pauseUpload();
});
retryNowButton.addEventListener("click", resumeUpload);
cancelButton.addEventListener("click", cancelUpload);
window.addEventListener("online", () => {
  if (session.phase === "waiting") resumeUpload();
});
window.addEventListener("offline", () => {
  if (session.phase === "uploading") setUploadState(t("offline"), { waiting: true });
});
window.addEventListener("beforeunload", (event) => {
  if (!isBusy()) return;
  event.preventDefault();
  event.returnValue = t("leave_warning");
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (isBusy()) return;
  startUpload();
});

async function handleUploadSuccess() {
  window.clearTimeout(session.reconnectTimer);
  session.upload = null;
  session.phase = "processing";
  const total = session.file ? session.file.size : 0;
  setProgress(total, total);
  progressBox.hidden = true;
  lockForm(true);
  showStatus("processing", { title: t("processing"), detail: t("processing_hint"), again: true });
  if (!session.videoId) return;
  document.dispatchEvent(new CustomEvent("kilas:uploaded", { detail: { videoId: session.videoId } }));
  // A resumed upload carries the caption typed back then; a very long caption didn't fit the metadata.
  if (session.resumed || !session.captionInMetadata) {
    try {
      await api(`/api/v1/videos/${session.videoId}`, {
        method: "PATCH",
        json: { caption: session.sentCaption, visibility: session.sentVisibility },
      });
    } catch {
      // The video is uploaded; the caption can still be edited on its page.
    }
  }
  session.pollStarted = Date.now();
  pollStatus();
  listenForStatus(session.videoId);
}

// The server pushes a note the moment the video's state changes (from whichever worker processed
// it); polling stays on as the fallback.
function listenForStatus(id) {
  if (!("EventSource" in window)) return;
  const source = new EventSource(`/api/v1/videos/${id}/status-events`);
  session.statusSource = source;
  source.addEventListener("status", () => {
    if (session.videoId === id) pollStatus();
  });
  source.onerror = () => source.close();
}

function stopListening() {
  if (session.statusSource) session.statusSource.close();
  session.statusSource = null;
}

// ---------------------------------------------------------------------------------------------
// Processing status

function showStatus(kind, { title, detail = "", link = null, again = false }) {
  statusBox.textContent = "";
  statusBox.hidden = false;
  statusBox.dataset.state = kind;
  const row = el("div", "upload-status-row");
  if (kind === "processing") row.append(el("span", "spinner"));
  if (kind === "ready" || kind === "failed") {
    row.append(el("span", `status-badge ${kind}`, t(kind === "ready" ? "status_ready" : "status_failed")));
  }
  const heading = el("strong", "upload-status-title", title);
  row.append(heading);
  if (link) {
    const anchor = el("a", "upload-status-link", link.text);
    anchor.href = link.href;
    anchor.dataset.testid = "upload-video-link";
    row.append(anchor);
  }
  statusBox.append(row);
  if (detail) statusBox.append(el("p", kind === "failed" ? "error-text" : "muted", detail));
  if (again) {
    const another = el("button", "button", t("upload_another"));
    another.dataset.testid = "upload-another";
    another.type = "button";
    another.addEventListener("click", () => {
      resetForm({ keepCaption: kind === "failed" });
      fileInput.focus();
    });
    statusBox.append(another);
  }
  statusBox.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

async function pollStatus() {
  window.clearTimeout(session.pollTimer);
  const id = session.videoId;
  if (!id || session.phase !== "processing") return;
  let video = null;
  try {
    video = await api(`/api/v1/videos/${id}`);
  } catch {
    video = null;
  }
  if (session.videoId !== id) return;
  if (video) {
    upsertTile(video);
    if (video.status === "ready") {
      stopListening();
      session.phase = "ready";
      showStatus("ready", {
        title: t("ready"),
        link: { href: video.url || `/v/${id}`, text: t("view_video") },
        again: true,
      });
      return;
    }
    if (video.status === "failed") {
      stopListening();
      session.phase = "failed";
      showStatus("failed", { title: t("failed"), detail: video.failure_reason || "", again: true });
      return;
    }
  }
  const slow = Date.now() - session.pollStarted > 2 * 60 * 1000;
  session.pollTimer = window.setTimeout(pollStatus, slow ? SLOW_STATUS_POLL_MS : STATUS_POLL_MS);
}

function resetForm({ keepCaption = false } = {}) {
  const wasProcessing = session.phase === "processing";
  const keptVisibility = visibility.value;
  window.clearTimeout(session.pollTimer);
  window.clearTimeout(session.reconnectTimer);
  stopListening();
  if (session.previewUrl) URL.revokeObjectURL(session.previewUrl);
  Object.assign(session, {
    phase: "idle",
    file: null,
    duration: null,
    previewUrl: null,
    upload: null,
    videoId: null,
    resumed: false,
  });
  lockForm(false);
  form.reset();
  if (keepCaption) {
    caption.value = session.sentCaption;
    visibility.value = keptVisibility;
  }
  renderCounter();
  previewVideo.removeAttribute("src");
  previewVideo.load();
  preview.hidden = true;
  picker.hidden = false;
  progressBox.hidden = true;
  statusBox.hidden = true;
  showError("");
  if (wasProcessing) startRecentPolling();
}

// ---------------------------------------------------------------------------------------------
// Recent uploads

function badgeText(status) {
  return t(status === "ready" ? "status_ready" : status === "failed" ? "status_failed" : "status_processing");
}

function buildTile(video) {
  const tile = el("li", "video-tile");
  tile.dataset.videoId = String(video.id);
  const link = el("a");
  link.href = video.url;
  link.append(el("span", "tile-placeholder"));
  const badge = el("span", "status-badge");
  badge.dataset.statusBadge = "";
  link.append(badge);
  tile.append(link, el("p", "tile-caption"));
  return tile;
}

function upsertTile(video) {
  let tile = recentList.querySelector(`[data-video-id="${video.id}"]`);
  if (!tile) {
    tile = buildTile(video);
    recentList.prepend(tile);
  }
  recentEmpty.hidden = true;
  tile.dataset.status = video.status;
  const link = tile.querySelector("a");
  if (video.poster_url && !tile.querySelector("img")) {
    const img = el("img");
    img.src = video.poster_url;
    img.alt = "";
    img.loading = "lazy";
    const placeholder = tile.querySelector(".tile-placeholder");
    if (placeholder) placeholder.replaceWith(img);
    else link.prepend(img);
  }
  const badge = tile.querySelector("[data-status-badge]");
  badge.className = `status-badge ${video.status}`;
  badge.textContent = badgeText(video.status);
  let views = tile.querySelector(".tile-views");
  if (video.status === "ready") {
    if (!views) {
      views = el("span", "tile-views");
      link.append(views);
    }
    views.textContent = `▶ ${compactNumber(video.views_count)}`;
  }
  const text = tile.querySelector(".tile-caption");
  if (text) {
    const shown = (video.caption || "").replace(/\s+/g, " ").trim();
    text.textContent = shown ? (shown.length > 60 ? `${shown.slice(0, 60)}…` : shown) : t("no_caption");
  }
  let reason = tile.querySelector(".tile-reason");
  if (video.status === "failed" && video.failure_reason) {
    if (!reason) {
      reason = el("p", "tile-reason error-text");
      tile.append(reason);
    }
    reason.textContent = video.failure_reason;
  } else if (reason) {
    reason.remove();
  }
}

// Earlier uploads still processing: keep their badges current.
let recentPolling = false;

function startRecentPolling() {
  if (recentPolling) return;
  recentPolling = true;
  window.setTimeout(pollRecent, RECENT_POLL_MS);
}

async function pollRecent() {
  const pending = [...recentList.querySelectorAll('[data-status="processing"]')]
    .map((tile) => Number(tile.dataset.videoId))
    .filter((id) => id && id !== session.videoId);
  if (pending.length === 0) {
    recentPolling = false;
    return;
  }
  for (const id of pending) {
    try {
      upsertTile(await api(`/api/v1/videos/${id}`));
    } catch {
      // Deleted or not reachable right now; try again next round.
    }
  }
  window.setTimeout(pollRecent, RECENT_POLL_MS);
}

startRecentPolling();
