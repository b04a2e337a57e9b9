// The vertical swipe player: For You, Following and the single-video page.
// Slides snap with CSS (scroll-snap), so touch swipe, wheel and trackpad work natively; this module
// builds the slides, plays the one in view, preloads its neighbours, pages in more videos and runs the
// like, follow, comment and share actions, and For You's "why this video?", "not interested" and
// "refresh".

import { flush, newId, track } from "./events.js";
import {
  api,
  compactNumber,
  el,
  goToLogin,
  icon,
  loginUrl,
  readJson,
  t,
  timeAgo,
  toast,
} from "/static/js/common.js";

const FOR_YOU_API = "/api/v1/feed/foryou";
const PAGE_SIZE = 10;
const VISIBLE_RATIO = 0.6;
const DOUBLE_TAP_MS = 300;
const VIEW_AFTER_SECONDS = 1;
const KEEP_LOADED_DISTANCE = 3;
const LOAD_MORE_DISTANCE = 3;
const PROCESSING_POLL_MS = 3000;
const CAPTION_CLAMP_CHARS = 90;
const MAX_DPR = 2;
// Python's \w (what the server's hashtag pattern uses) is Unicode-aware; this is the same class.
const HASHTAG = /#([\p{L}\p{M}\p{N}_]{1,100})/gu;

const ICONS = {
  heart:
    "M12 21s-7.5-4.6-9.6-9.3C.9 8.4 2.9 4.5 6.6 4.5c2.2 0 3.6 1.2 4.4 2.4.8-1.2 2.2-2.4 4.4-2.4 3.7 0 5.7 3.9 4.2 7.2C19.5 16.4 12 21 12 21z",
  comment:
    "M12 3.5c5 0 9 3.4 9 7.7s-4 7.7-9 7.7c-1 0-2-.1-2.9-.4L4.5 20.5l1.2-3.8C4 15.3 3 13.4 3 11.2 3 6.9 7 3.5 12 3.5z",
  share: "M14 4l7 7-7 7v-4c-5 0-8.5 1.5-11 5 1-5 4-10 11-11V4z",
  muted: ["M4 9v6h4l5 4V5L8 9H4z", "M17 9l4 6M21 9l-4 6"],
  sound: ["M4 9v6h4l5 4V5L8 9H4z", "M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12"],
  play: "M8 5.5v13l11-6.5-11-6.5z",
  plus: "M12 5v14M5 12h14",
  check: "M5 12.5l4.5 4.5L19 7",
  refresh: ["M20 4v5h-5", "M19.4 14.5A8 8 0 1 1 17.6 6.4L20 9"],
  why: ["M12 2a10 10 0 1 0 0 20 10 10 0 1 0 0-20z", "M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3", "M12 17h.01"],
  notInterested: [
    "M17.9 17.9A10 10 0 0 1 12 20c-7 0-11-8-11-8a18.5 18.5 0 0 1 5.1-5.9M9.9 4.2A9 9 0 0 1 12 4c7 0 11 8 11 8a18.5 18.5 0 0 1-2.2 3.2m-6.7-1.1a3 3 0 1 1-4.2-4.2",
    "M1 1l22 22",
  ],
};

const feed = document.querySelector('[data-testid="feed"]');
const layout = document.querySelector("[data-feed-layout]");
const data = readJson("feed-data", {}) || {};
const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
const docked = window.matchMedia("(min-width: 900px)");

const state = {
  tab: data.tab || "foryou",
  me: data.me || null,
  apiUrl: data.api_url || FOR_YOU_API,
  cursor: data.next_cursor || null,
  hasMore: true,
  loading: false,
  items: [],
  seen: new Set(),
  active: -1,
  muted: true,
  statusNode: null,
  endNode: null,
  emptyNode: null,
  // Each page request gets a number; a response that is no longer the latest (the feed was refreshed
  // meanwhile) is dropped.
  loadRequest: 0,
  refreshing: false,
  refreshed: false,
  // Creators marked "not interested" in this visit: their videos are skipped if a page still has them.
  hiddenCreators: new Set(),
};

// ---------------------------------------------------------------------------------------------
// Small helpers

function isLoggedIn() {
  return Boolean(state.me);
}

function absoluteUrl(path) {
  return new URL(path, window.location.origin).toString();
}

function itemsFor(videoId) {
  return state.items.filter((item) => item.video.id === videoId);
}

function scrollBehavior() {
  return reduceMotion.matches ? "auto" : "smooth";
}

function plural(keyBase, count) {
  return t(count === 1 ? `${keyBase}_one` : `${keyBase}_other`, { count: compactNumber(count) });
}

function button(className, label, testId) {
  const node = el("button", className);
  node.type = "button";
  if (label) node.setAttribute("aria-label", label);
  if (testId) node.dataset.testid = testId;
  return node;
}

/** Fills `container` with the caption text, hashtags as /tag links, built from text nodes only. */
function renderCaption(container, text) {
  container.textContent = "";
  let last = 0;
  for (const match of text.matchAll(HASHTAG)) {
    const tag = match[1];
    if (/^\p{N}+$/u.test(tag)) continue;
    container.append(document.createTextNode(text.slice(last, match.index)));
    const link = el("a", "hashtag", `#${tag}`);
    link.href = `/tag/${encodeURIComponent(tag.toLowerCase())}`;
    container.append(link);
    last = match.index + match[0].length;
  }
  container.append(document.createTextNode(text.slice(last)));
}

function avatar(user, size = "") {
  if (user.avatar_url) {
    const img = el("img", `avatar ${size}`.trim());
    img.src = user.avatar_url;
    img.alt = "";
    img.loading = "lazy";
    return img;
  }
  const placeholder = el("span", `avatar placeholder ${size}`.trim(), (user.display_name || user.username || "?").slice(0, 1).toUpperCase());
  placeholder.setAttribute("aria-hidden", "true");
  return placeholder;
}

/** The smallest rendition sharp enough for this screen, one step lower on slow or data-saving connections. */
function chooseRendition(renditions) {
  if (!renditions || renditions.length === 0) return null;
  const sorted = [...renditions].sort((a, b) => a.short_edge - b.short_edge);
  const screenShort = Math.min(
    window.screen?.width || window.innerWidth,
    window.screen?.height || window.innerHeight,
  );
  const wanted = screenShort * Math.min(window.devicePixelRatio || 1, MAX_DPR);
  let index = sorted.findIndex((rendition) => rendition.short_edge >= wanted);
  if (index === -1) index = sorted.length - 1;
  const connection = navigator.connection;
  if (connection && (connection.saveData || /(^|-)([23]g)$/.test(connection.effectiveType || ""))) {
    index = Math.max(0, index - 1);
  }
  return sorted[index];
}

// ---------------------------------------------------------------------------------------------
// Slides

/** `forYou`: the video came from For You, so it may say why it is there and take "not interested". */
function buildSlide(video, { forYou = false } = {}) {
  const username = video.owner.username;
  const slide = el("article", "slide");
  slide.dataset.testid = "slide";
  slide.dataset.videoId = String(video.id);
  slide.setAttribute("aria-label", t("video_by", { username }));

  const stage = el("div", "stage");
  const player = el("div", "player");
  const videoEl = el("video", "player-video");
  videoEl.dataset.testid = "video";
  videoEl.muted = true;
  videoEl.defaultMuted = true;
  videoEl.loop = true;
  videoEl.playsInline = true;
  videoEl.setAttribute("playsinline", "");
  videoEl.setAttribute("muted", "");
  videoEl.preload = "none";
  videoEl.disablePictureInPicture = true;
  videoEl.setAttribute("aria-label", t("video_by", { username }));
  if (video.width && video.height && video.width > video.height) player.classList.add("landscape");

  const playIndicator = el("div", "play-indicator");
  playIndicator.append(icon(ICONS.play, { fill: true }));
  playIndicator.hidden = true;

  const unmute = button("unmute-button", t("unmute"), "unmute-button");
  const unmuteLabel = el("span", "unmute-label", t("unmute"));
  unmute.append(icon(ICONS.muted), unmuteLabel);

  const notice = el("div", "player-notice");
  notice.hidden = true;

  // Creator and caption, over the bottom of the video.
  const info = el("div", "slide-info");
  const creator = el("div", "creator-line");
  const avatarLink = el("a", "avatar-link");
  avatarLink.href = video.owner.url;
  avatarLink.setAttribute("aria-label", `@${username}`);
  avatarLink.append(avatar(video.owner));
  const nameLink = el("a", "creator-name", `@${username}`);
  nameLink.href = video.owner.url;
  for (const link of [avatarLink, nameLink]) {
    link.addEventListener("click", () => {
      track("profile_visit", video.id, { source: trafficSource() });
      flush({ leaving: true });
    });
  }
  const follow = button("follow-button", t("follow_user", { username }), "follow-button");
  follow.setAttribute("aria-pressed", "false");
  follow.append(icon(ICONS.plus), el("span", "follow-label", t("follow")));
  follow.hidden = video.owner.followed_by_me !== false;
  creator.append(avatarLink, nameLink, follow);
  const why = forYou && video.reason && video.reason.text ? buildWhy(video) : null;
  if (why) info.append(why.row);
  info.append(creator);
  if (video.owner.display_name && video.owner.display_name !== username) {
    info.append(el("p", "creator-display", video.owner.display_name));
  }
  let captionNode = null;
  if (video.caption) {
    captionNode = el("p", "caption");
    renderCaption(captionNode, video.caption);
    info.append(captionNode);
    if (video.caption.length > CAPTION_CLAMP_CHARS || video.caption.includes("\n")) {
      captionNode.classList.add("clamped");
      const more = button("caption-toggle", null);
      more.textContent = t("caption_more");
      more.setAttribute("aria-expanded", "false");
      more.addEventListener("click", () => {
        const open = captionNode.classList.toggle("clamped") === false;
        more.textContent = open ? t("caption_less") : t("caption_more");
        more.setAttribute("aria-expanded", String(open));
      });
      info.append(more);
    }
  }

  player.append(videoEl, playIndicator, notice, unmute, info);

  // Action column.
  const actions = el("div", "actions");
  const like = actionButton("like", ICONS.heart, t("like"), video.likes_count, video.id, true);
  like.button.setAttribute("aria-pressed", String(Boolean(video.liked_by_me)));
  const comment = actionButton("comment", ICONS.comment, t("comments"), video.comments_count, video.id, true);
  comment.button.setAttribute("aria-haspopup", "dialog");
  comment.button.setAttribute("aria-controls", "comments-sheet");
  const share = actionButton("share", ICONS.share, t("share"), video.shares_count, video.id, true);
  share.button.setAttribute("aria-haspopup", "dialog");
  actions.append(like.button, comment.button, share.button);
  let notInterested = null;
  if (forYou && username !== state.me) {
    notInterested = button("action action-not-interested", t("not_interested"), "not-interested");
    notInterested.title = t("not_interested");
    const bubble = el("span", "action-icon");
    bubble.append(icon(ICONS.notInterested));
    notInterested.append(bubble);
    actions.append(notInterested);
  }

  stage.append(player, actions);
  slide.append(stage);

  const item = {
    video,
    slide,
    player,
    videoEl,
    playIndicator,
    notice,
    unmute,
    unmuteLabel,
    follow,
    likeButton: like.button,
    likeCount: like.count,
    commentButton: comment.button,
    commentCount: comment.count,
    shareButton: share.button,
    shareCount: share.count,
    whyButton: why ? why.button : null,
    whyText: why ? why.text : null,
    notInterestedButton: notInterested,
    src: null,
    userPaused: false,
    visit: null,
    lastTap: 0,
    tapTimer: 0,
    likePending: false,
    pollTimer: 0,
  };
  wireSlide(item);
  renderLike(item);
  renderProcessing(item);
  renderMute(item);
  return item;
}

/** "Mengapa video ini?": a small button that shows the one-line reason as a chip above the creator. */
function buildWhy(video) {
  const row = el("div", "why");
  const whyButton = button("why-button", t("why"), "why-button");
  whyButton.title = t("why");
  whyButton.setAttribute("aria-expanded", "false");
  whyButton.append(icon(ICONS.why));
  const text = el("p", "why-text", video.reason.text);
  text.dataset.testid = "why-text";
  text.id = `why-${video.id}-${Math.random().toString(36).slice(2, 8)}`;
  text.hidden = true;
  whyButton.setAttribute("aria-controls", text.id);
  row.append(whyButton, text);
  return { row, button: whyButton, text };
}

function setWhyOpen(item, open) {
  if (!item.whyButton) return;
  item.whyText.hidden = !open;
  item.whyButton.setAttribute("aria-expanded", String(open));
  item.whyButton.classList.toggle("active", open);
}

function actionButton(kind, path, label, count, videoId, fill) {
  const node = button(`action action-${kind}`, label, `${kind}-button`);
  const countNode = el("span", "action-count", compactNumber(count));
  countNode.dataset.testid = `${kind}-count`;
  countNode.id = `${kind}-count-${videoId}-${Math.random().toString(36).slice(2, 8)}`;
  node.setAttribute("aria-describedby", countNode.id);
  const bubble = el("span", "action-icon");
  bubble.append(icon(path, { fill }));
  node.append(bubble, countNode);
  return { button: node, count: countNode };
}

function wireSlide(item) {
  const { videoEl, player } = item;

  player.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a, button")) return;
    const now = performance.now();
    if (now - item.lastTap < DOUBLE_TAP_MS) {
      window.clearTimeout(item.tapTimer);
      item.lastTap = 0;
      showHeart(item, event);
      if (!item.video.liked_by_me) setLike(item, true);
      return;
    }
    item.lastTap = now;
    window.clearTimeout(item.tapTimer);
    item.tapTimer = window.setTimeout(() => togglePlay(item), DOUBLE_TAP_MS);
  });
  player.addEventListener("dblclick", (event) => event.preventDefault());

  item.unmute.addEventListener("click", () => setMuted(!state.muted));
  item.likeButton.addEventListener("click", () => setLike(item, !item.video.liked_by_me));
  item.commentButton.addEventListener("click", () => openComments(item, { userAction: true }));
  item.shareButton.addEventListener("click", () => openShare(item));
  item.follow.addEventListener("click", () => followCreator(item));
  if (item.whyButton) {
    item.whyButton.addEventListener("click", () => setWhyOpen(item, item.whyText.hidden));
    item.whyText.addEventListener("click", (event) => {
      // Tapping the chip closes it rather than pausing the video underneath.
      event.stopPropagation();
      setWhyOpen(item, false);
    });
  }
  if (item.notInterestedButton) item.notInterestedButton.addEventListener("click", () => markNotInterested(item));

  videoEl.addEventListener("timeupdate", () => trackWatching(item));
  videoEl.addEventListener("error", () => {
    if (!item.src) return;
    item.notice.replaceChildren(el("strong", "", t("load_error")));
    item.notice.hidden = false;
  });
  videoEl.addEventListener("loadeddata", () => renderProcessing(item));
  videoEl.addEventListener("playing", () => {
    item.playIndicator.hidden = true;
    item.slide.classList.add("is-playing");
  });
  videoEl.addEventListener("pause", () => item.slide.classList.remove("is-playing"));
  videoEl.addEventListener("waiting", () => item.slide.classList.add("is-buffering"));
  videoEl.addEventListener("canplay", () => item.slide.classList.remove("is-buffering"));
  videoEl.addEventListener("playing", () => item.slide.classList.remove("is-buffering"));
}

function renderLike(item) {
  const liked = Boolean(item.video.liked_by_me);
  item.likeButton.setAttribute("aria-pressed", String(liked));
  item.likeButton.classList.toggle("active", liked);
  item.likeCount.textContent = compactNumber(item.video.likes_count);
}

function renderCounts(videoId) {
  for (const item of itemsFor(videoId)) {
    renderLike(item);
    item.commentCount.textContent = compactNumber(item.video.comments_count);
    item.shareCount.textContent = compactNumber(item.video.shares_count);
  }
}

function renderMute(item) {
  item.unmute.replaceChildren(icon(state.muted ? ICONS.muted : ICONS.sound), item.unmuteLabel);
  item.unmute.setAttribute("aria-label", state.muted ? t("unmute") : t("mute"));
  item.unmute.classList.toggle("is-muted", state.muted);
  item.unmuteLabel.hidden = !state.muted;
}

function renderProcessing(item) {
  const { video, notice } = item;
  const playable = video.renditions && video.renditions.length > 0;
  notice.textContent = "";
  if (video.status === "failed") {
    notice.append(el("strong", "", t("failed")));
    if (video.failure_reason) notice.append(el("span", "", video.failure_reason));
    notice.hidden = false;
  } else if (!playable) {
    notice.append(el("span", "spinner"), el("strong", "", t("processing")), el("span", "", t("processing_hint")));
    notice.hidden = false;
  } else {
    notice.hidden = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading sources, playing, pausing

function load(item, mode) {
  const { videoEl, video } = item;
  if (video.poster_url && !videoEl.poster) videoEl.poster = video.poster_url;
  const rendition = chooseRendition(video.renditions);
  if (!rendition) return;
  if (item.src !== rendition.url) {
    videoEl.preload = mode;
    videoEl.src = rendition.url;
    item.src = rendition.url;
  } else if (mode === "auto" && videoEl.preload !== "auto") {
    videoEl.preload = "auto";
  }
}

function release(item) {
  if (!item.src) return;
  const { videoEl } = item;
  videoEl.pause();
  videoEl.removeAttribute("src");
  videoEl.preload = "none";
  videoEl.load();
  item.src = null;
}

/** Current and next slide load fully, a few around only their metadata; far ones let go of their source. */
function manageWindow(center) {
  state.items.forEach((item, index) => {
    const distance = index - center;
    if (distance === 0 || distance === 1) load(item, "auto");
    else if (distance === -1 || (distance > 1 && distance <= KEEP_LOADED_DISTANCE)) load(item, "metadata");
    else if (Math.abs(distance) > KEEP_LOADED_DISTANCE) release(item);
  });
}

function play(item) {
  const { videoEl } = item;
  if (!item.src) return;
  videoEl.muted = state.muted;
  const attempt = videoEl.play();
  if (!attempt) return;
  attempt.catch((error) => {
    if (error && error.name === "AbortError") return;
    if (error && error.name === "NotAllowedError" && !videoEl.muted) {
      // The browser refused sound without a fresh tap: keep playing, silently.
      setMuted(true);
      videoEl.play().catch(() => {
        item.playIndicator.hidden = false;
      });
      return;
    }
    item.playIndicator.hidden = false;
  });
}

function togglePlay(item) {
  const { videoEl } = item;
  if (!item.src) return;
  if (videoEl.paused) {
    item.userPaused = false;
    item.playIndicator.hidden = true;
    play(item);
  } else {
    item.userPaused = true;
    videoEl.pause();
    item.playIndicator.hidden = false;
  }
}

function setMuted(muted) {
  state.muted = muted;
  for (const item of state.items) {
    item.videoEl.muted = muted;
    renderMute(item);
  }
  const current = state.items[state.active];
  if (!muted && current && current.videoEl.paused && !current.userPaused) play(current);
}

function activate(index) {
  if (index === state.active) return;
  const previous = state.items[state.active];
  if (previous) deactivate(previous);
  state.active = index;
  const item = state.items[index];
  if (!item) return;
  manageWindow(index);
  item.slide.classList.add("is-active");
  item.userPaused = false;
  item.playIndicator.hidden = true;
  if (item.videoEl.currentTime > 0 && item.src) item.videoEl.currentTime = 0;
  item.visit = newVisit();
  track("impression", item.video.id, { source: trafficSource() });
  if (!document.hidden) play(item);
  watchProcessing(item);
  maybeLoadMore();
  if (comments.open && docked.matches && comments.item !== item) openComments(item, { userAction: false });
}

function deactivate(item) {
  item.slide.classList.remove("is-active");
  setWhyOpen(item, false);
  item.videoEl.pause();
  endVisit(item);
  item.visit = null;
  window.clearTimeout(item.tapTimer);
}

// Engagement: each slide visit is one play (`play_id`). A view is reported once, after a second of
// real playback; watch time goes out as progress every few seconds; a loop is a completion (then
// replays); leaving within two seconds is a skip.
const PROGRESS_EVERY_S = 5;
const SKIP_WITHIN_S = 2;

function newVisit() {
  return { playId: newId(), startedAt: null, watched: 0, pending: 0, lastTime: 0, sent: false, loops: 0 };
}

function trafficSource() {
  if (state.tab === "foryou" || state.tab === "following") return state.tab;
  const referrer = document.referrer ? new URL(document.referrer) : null;
  return referrer && referrer.origin === window.location.origin ? "other" : "share";
}

function playFields(item) {
  const visit = item.visit;
  return { source: trafficSource(), play_id: visit.playId, play_started_at: visit.startedAt };
}

function sendProgress(item) {
  const visit = item.visit;
  if (!visit || !visit.startedAt || visit.pending < 0.05) return;
  track("progress", item.video.id, {
    ...playFields(item),
    watched_ms: Math.round(visit.pending * 1000),
    position_ms: Math.round(item.videoEl.currentTime * 1000),
  });
  visit.pending = 0;
}

function endVisit(item) {
  const visit = item.visit;
  if (!visit || !visit.startedAt) return;
  sendProgress(item);
  if (visit.watched < SKIP_WITHIN_S && !visit.loops) track("skip", item.video.id, playFields(item));
}

function trackWatching(item) {
  const visit = item.visit;
  const { videoEl } = item;
  if (!visit) return;
  const now = videoEl.currentTime;
  const delta = now - visit.lastTime;
  visit.lastTime = now;
  if (delta < -1 && videoEl.duration && now < 1) {
    // Looped back to the start: the play reached the end.
    track(visit.loops ? "replay" : "complete", item.video.id, playFields(item));
    visit.loops += 1;
    return;
  }
  if (videoEl.paused || videoEl.seeking || delta <= 0 || delta > 2) return;
  if (!visit.startedAt) {
    visit.startedAt = new Date(Date.now() - delta * 1000).toISOString();
    track("play", item.video.id, playFields(item));
  }
  visit.watched += delta;
  visit.pending += delta;
  if (!visit.sent && visit.watched >= VIEW_AFTER_SECONDS) {
    visit.sent = true;
    track("view", item.video.id, { ...playFields(item), watched_ms: Math.round(visit.watched * 1000) });
  }
  if (visit.pending >= PROGRESS_EVERY_S) sendProgress(item);
}

// A video still being processed (your own, on its page) starts playing once its first rendition is out.
function watchProcessing(item) {
  const video = item.video;
  if (item.pollTimer || video.status !== "processing" || (video.renditions && video.renditions.length)) return;
  const poll = async () => {
    try {
      const fresh = await api(`/api/v1/videos/${video.id}`);
      Object.assign(item.video, fresh);
    } catch {
      // Try again on the next round.
    }
    const playable = item.video.renditions && item.video.renditions.length > 0;
    if (item.video.status === "failed" || playable) {
      item.pollTimer = 0;
      renderProcessing(item);
      const index = state.items.indexOf(item);
      if (playable && Math.abs(index - state.active) <= 1) {
        manageWindow(state.active);
        if (index === state.active) play(item);
      }
      return;
    }
    item.pollTimer = window.setTimeout(poll, PROCESSING_POLL_MS);
  };
  item.pollTimer = window.setTimeout(poll, PROCESSING_POLL_MS);
}

function showHeart(item, event) {
  const rect = item.player.getBoundingClientRect();
  const heart = el("span", "heart-burst");
  heart.append(icon(ICONS.heart, { fill: true }));
  heart.style.left = `${event.clientX - rect.left}px`;
  heart.style.top = `${event.clientY - rect.top}px`;
  item.player.append(heart);
  window.setTimeout(() => heart.remove(), 900);
}

// ---------------------------------------------------------------------------------------------
// Feed paging and scrolling

const observer = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      const index = state.items.findIndex((item) => item.slide === entry.target);
      if (index === -1) continue;
      if (entry.isIntersecting && entry.intersectionRatio >= VISIBLE_RATIO) {
        activate(index);
      } else if (index === state.active && entry.intersectionRatio < VISIBLE_RATIO) {
        deactivate(state.items[index]);
        state.active = -1;
      }
    }
  },
  { root: feed, threshold: [0, VISIBLE_RATIO, 1] },
);

function addVideos(videos, { forYou = false } = {}) {
  const fresh = [];
  for (const video of videos) {
    if (!video || state.seen.has(video.id)) continue;
    state.seen.add(video.id);
    if (forYou && state.hiddenCreators.has(video.owner.username)) continue;
    const item = buildSlide(video, { forYou });
    state.items.push(item);
    fresh.push(item);
  }
  const anchor = state.statusNode && state.statusNode.isConnected ? state.statusNode : null;
  for (const item of fresh) {
    feed.insertBefore(item.slide, anchor);
    observer.observe(item.slide);
  }
  if (state.active >= 0) manageWindow(state.active);
  return fresh.length;
}

function setStatus(kind) {
  if (state.statusNode) state.statusNode.remove();
  state.statusNode = null;
  if (!kind) return;
  const node = el("div", `feed-status feed-status-${kind}`);
  if (kind === "loading") {
    node.append(el("span", "spinner"), el("span", "visually-hidden", t("loading")));
    node.setAttribute("aria-label", t("loading"));
  } else if (kind === "error") {
    node.append(el("p", "", t("load_error")));
    const retry = el("button", "button", t("retry"));
    retry.type = "button";
    retry.addEventListener("click", () => loadMore());
    node.append(retry);
  }
  feed.append(node);
  state.statusNode = node;
}

function showEmpty() {
  const following = state.tab === "following";
  const box = el("div", "feed-status feed-empty");
  box.append(
    el("h2", "", t(following ? "empty_following_title" : "empty_foryou_title")),
    el("p", "", t(following ? "empty_following_text" : "empty_foryou_text")),
  );
  const action = el("a", "button primary", t(following ? "empty_following_action" : "empty_foryou_action"));
  action.href = following ? "/" : "/upload";
  box.append(action);
  feed.append(box);
  state.emptyNode = box;
}

/** "You're all caught up", with a way back to the top and, on For You, a fresh start. After a refresh
 * that found nothing new (what was watched stays watched), it is the whole feed. */
function showEnd() {
  if (state.endNode || (state.items.length === 0 && !state.refreshed)) return;
  const box = el("div", "feed-status feed-end");
  box.append(el("h2", "", t("end_title")), el("p", "", t("end_text")));
  const buttons = el("div", "feed-end-actions");
  if (state.items.length > 0) {
    const top = el("button", "button", t("end_action"));
    top.type = "button";
    top.addEventListener("click", () => goTo(0));
    buttons.append(top);
  }
  if (state.tab === "foryou" && isLoggedIn() && state.items.length > 0) {
    const refresh = button("button primary", null, "refresh-feed-end");
    refresh.append(icon(ICONS.refresh), el("span", "", t("refresh")));
    refresh.dataset.refreshFeed = "";
    refresh.addEventListener("click", () => refreshFeed());
    buttons.append(refresh);
  }
  if (buttons.childElementCount) box.append(buttons);
  feed.append(box);
  state.endNode = box;
}

async function loadMore() {
  if (state.loading || !state.hasMore) return;
  state.loading = true;
  const request = ++state.loadRequest;
  setStatus("loading");
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (state.cursor) params.set("cursor", state.cursor);
  const separator = state.apiUrl.includes("?") ? "&" : "?";
  try {
    const page = await api(`${state.apiUrl}${separator}${params}`);
    if (request !== state.loadRequest) return;
    state.cursor = page.next_cursor || null;
    state.hasMore = Boolean(state.cursor);
    setStatus(null);
    const added = addVideos(page.videos || [], { forYou: state.apiUrl === FOR_YOU_API });
    if (added === 0 && state.hasMore) {
      state.loading = false;
      loadMore();
      return;
    }
    if (!state.hasMore) {
      if (state.items.length === 0 && !state.refreshed) showEmpty();
      else showEnd();
    }
  } catch (error) {
    if (request !== state.loadRequest) return;
    setStatus("error");
    if (error.status === 401) state.hasMore = false;
  } finally {
    // A newer request (the next page asked for above, or a refresh) owns the loading state now.
    if (request === state.loadRequest) {
      state.loading = false;
      feed.setAttribute("aria-busy", "false");
    }
  }
}

function maybeLoadMore() {
  if (state.active >= state.items.length - LOAD_MORE_DISTANCE) loadMore();
}

function goTo(index) {
  const bounded = Math.max(0, Math.min(index, state.items.length - 1));
  const target = state.items[bounded];
  if (!target) return;
  feed.scrollTo({ top: target.slide.offsetTop, behavior: scrollBehavior() });
}

function step(direction, from = state.active >= 0 ? state.active : nearestIndex()) {
  const next = from + direction;
  if (next >= state.items.length) {
    const last = state.endNode || state.statusNode;
    if (last) feed.scrollTo({ top: last.offsetTop, behavior: scrollBehavior() });
    return;
  }
  goTo(next);
}

function nearestIndex() {
  const height = feed.clientHeight || 1;
  return Math.round(feed.scrollTop / height);
}

/** Takes a slide out of the feed for good (its video stays in `state.seen`, so it won't come back). */
function removeItem(item) {
  const index = state.items.indexOf(item);
  if (index === -1) return;
  if (index === state.active) {
    deactivate(item);
    state.active = -1;
  } else if (index < state.active) {
    state.active -= 1;
  }
  release(item);
  observer.unobserve(item.slide);
  window.clearTimeout(item.pollTimer);
  item.pollTimer = 0;
  item.slide.remove();
  state.items.splice(index, 1);
}

// ---------------------------------------------------------------------------------------------
// For You: not interested, refresh

async function markNotInterested(item) {
  if (!isLoggedIn()) {
    goToLogin(item.video.url);
    return;
  }
  const control = item.notInterestedButton;
  if (control.disabled) return;
  control.disabled = true;
  try {
    const result = await api("/api/v1/feed/not-interested", { method: "POST", json: { video_id: item.video.id } });
    const username = result.creator || item.video.owner.username;
    state.hiddenCreators.add(username);
    const index = state.items.indexOf(item);
    for (const other of state.items.slice(index + 1)) {
      if (other.video.owner.username === username) removeItem(other);
    }
    control.setAttribute("aria-pressed", "true");
    control.classList.add("active");
    toast(t("not_interested_toast", { username }), { kind: "success" });
    // Move on, unless the viewer already swiped away while we waited.
    if (index !== -1 && (state.active === index || state.active === -1)) step(1, index);
    maybeLoadMore();
  } catch (error) {
    control.disabled = false;
    if (error.status === 401) goToLogin(item.video.url);
    else toast(error.message, { kind: "error" });
  }
}

// The top bar's button (from the template) and the one at the end of the feed.
function refreshButtons() {
  return document.querySelectorAll("[data-refresh-feed]");
}

/** Drops every slide and starts For You over from its first page. */
function resetFeed() {
  state.loadRequest += 1;
  shareSheet.hidden = true;
  comments.open = false;
  commentsSheet.hidden = true;
  comments.requestId += 1;
  comments.item = null;
  comments.list.textContent = "";
  updateBackdrop();
  const current = state.items[state.active];
  if (current) deactivate(current);
  for (const item of state.items) {
    release(item);
    observer.unobserve(item.slide);
    window.clearTimeout(item.pollTimer);
    item.slide.remove();
  }
  for (const node of [state.endNode, state.emptyNode]) if (node) node.remove();
  setStatus(null);
  Object.assign(state, {
    items: [],
    seen: new Set(),
    hiddenCreators: new Set(),
    active: -1,
    cursor: null,
    hasMore: true,
    loading: false,
    endNode: null,
    emptyNode: null,
  });
  feed.scrollTo({ top: 0, behavior: "auto" });
  feed.setAttribute("aria-busy", "true");
}

async function refreshFeed() {
  if (!isLoggedIn()) {
    goToLogin("/");
    return;
  }
  if (state.refreshing) return;
  state.refreshing = true;
  for (const control of refreshButtons()) control.disabled = true;
  try {
    await api("/api/v1/feed/refresh", { method: "POST" });
    resetFeed();
    state.refreshed = true;
    toast(t("refreshed_toast"), { kind: "success", duration: 5000 });
    await loadMore();
  } catch (error) {
    if (error.status === 401) goToLogin("/");
    else toast(error.message, { kind: "error" });
  } finally {
    state.refreshing = false;
    for (const control of refreshButtons()) control.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Likes and follows

async function setLike(item, liked) {
  const video = item.video;
  if (!isLoggedIn()) {
    goToLogin(video.url);
    return;
  }
  if (item.likePending) return;
  item.likePending = true;
  const before = { liked: video.liked_by_me, count: video.likes_count };
  video.liked_by_me = liked;
  video.likes_count = Math.max(0, video.likes_count + (liked ? 1 : -1));
  renderCounts(video.id);
  if (liked) {
    item.likeButton.classList.remove("pop");
    void item.likeButton.offsetWidth;
    item.likeButton.classList.add("pop");
  }
  try {
    const result = await api(`/api/v1/videos/${video.id}/like`, { method: liked ? "POST" : "DELETE" });
    if (liked) track("like", video.id, { source: trafficSource() });
    video.liked_by_me = result.liked;
    video.likes_count = result.likes_count;
  } catch (error) {
    video.liked_by_me = before.liked;
    video.likes_count = before.count;
    if (error.status === 401) goToLogin(video.url);
    else toast(error.message, { kind: "error" });
  } finally {
    item.likePending = false;
    renderCounts(video.id);
  }
}

async function followCreator(item) {
  const owner = item.video.owner;
  if (!isLoggedIn()) {
    goToLogin(item.video.url);
    return;
  }
  item.follow.disabled = true;
  try {
    const result = await api(`/api/v1/users/${encodeURIComponent(owner.username)}/follow`, { method: "POST" });
    track("follow", item.video.id, { source: trafficSource() });
    for (const other of state.items) {
      if (other.video.owner.username !== owner.username) continue;
      other.video.owner.followed_by_me = result.following;
      other.video.owner.followers_count = result.followers_count;
      if (other === item) continue;
      other.follow.hidden = result.following;
    }
    item.follow.setAttribute("aria-pressed", "true");
    item.follow.classList.add("followed");
    item.follow.replaceChildren(icon(ICONS.check), el("span", "follow-label", t("following")));
    toast(t("followed_toast", { username: owner.username }), { kind: "success" });
    window.setTimeout(() => {
      item.follow.hidden = true;
    }, 1200);
  } catch (error) {
    if (error.status === 401) goToLogin(item.video.url);
    else toast(error.message, { kind: "error" });
  } finally {
    item.follow.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Sheets (comments, share)

const backdrop = document.querySelector("[data-sheet-backdrop]");
const commentsSheet = document.querySelector("[data-comments-sheet]");
const shareSheet = document.querySelector("[data-share-sheet]");
let openSheetTrigger = null;

function updateBackdrop() {
  const commentsModal = comments.open && !docked.matches;
  const shareOpen = !shareSheet.hidden;
  backdrop.hidden = !(commentsModal || shareOpen);
  document.body.classList.toggle("sheet-open", commentsModal || shareOpen);
  layout.classList.toggle("comments-docked", comments.open && docked.matches);
}

function closeSheets({ restoreFocus = true } = {}) {
  if (!shareSheet.hidden) {
    shareSheet.hidden = true;
  } else if (comments.open) {
    comments.open = false;
    commentsSheet.hidden = true;
  }
  updateBackdrop();
  if (restoreFocus && openSheetTrigger && openSheetTrigger.isConnected) openSheetTrigger.focus();
  openSheetTrigger = null;
}

backdrop.addEventListener("click", () => closeSheets());
for (const close of document.querySelectorAll("[data-close-sheet]")) {
  close.addEventListener("click", () => {
    if (close.closest("[data-share-sheet]")) {
      shareSheet.hidden = true;
    } else {
      comments.open = false;
      commentsSheet.hidden = true;
    }
    updateBackdrop();
    if (openSheetTrigger && openSheetTrigger.isConnected) openSheetTrigger.focus();
    openSheetTrigger = null;
  });
}
docked.addEventListener("change", updateBackdrop);

// --- Comments

const comments = {
  open: !commentsSheet.hidden,
  item: null,
  cursor: null,
  loading: false,
  requestId: 0,
  list: commentsSheet.querySelector('[data-testid="comment-list"]'),
  title: commentsSheet.querySelector("[data-comments-title]"),
  info: commentsSheet.querySelector("[data-comments-video-info]"),
  empty: commentsSheet.querySelector("[data-comments-empty]"),
  spinner: commentsSheet.querySelector("[data-comments-loading]"),
  more: commentsSheet.querySelector("[data-more-comments]"),
  form: commentsSheet.querySelector("[data-comment-form]"),
  input: commentsSheet.querySelector('[data-testid="comment-input"]'),
  submit: commentsSheet.querySelector('[data-testid="comment-submit"]'),
  loginLink: commentsSheet.querySelector("[data-login-link]"),
};

function renderCommentsTitle() {
  if (!comments.item) return;
  comments.title.textContent = plural("comments_title", comments.item.video.comments_count);
}

function renderCommentsInfo(item) {
  const video = item.video;
  comments.info.textContent = "";
  const creator = el("a", "creator-line");
  creator.href = video.owner.url;
  const names = el("span", "creator-names");
  names.append(el("strong", "", video.owner.display_name || video.owner.username), document.createTextNode(" "), el("span", "muted", `@${video.owner.username}`));
  creator.append(avatar(video.owner, "small"), names);
  comments.info.append(creator);
  if (video.caption) {
    const caption = el("p", "sheet-caption");
    renderCaption(caption, video.caption);
    comments.info.append(caption);
  }
}

function openComments(item, { userAction }) {
  if (userAction) openSheetTrigger = item.commentButton;
  const sameVideo = comments.item && comments.item.video.id === item.video.id;
  comments.item = item;
  comments.open = true;
  commentsSheet.hidden = false;
  shareSheet.hidden = true;
  updateBackdrop();
  if (comments.loginLink) comments.loginLink.href = loginUrl(item.video.url);
  renderCommentsTitle();
  if (!sameVideo || comments.list.childElementCount === 0) {
    if (!comments.info.dataset.serverRendered || comments.info.dataset.videoId !== String(item.video.id)) {
      renderCommentsInfo(item);
    }
    comments.list.textContent = "";
    comments.cursor = null;
    loadComments();
  }
  if (userAction) {
    // On phones, focusing the text box would pop the keyboard over the list; start at the close button.
    const target = docked.matches && comments.input ? comments.input : commentsSheet.querySelector("[data-close-sheet]");
    target.focus({ preventScroll: true });
  }
}

async function loadComments() {
  const item = comments.item;
  if (!item) return;
  const requestId = ++comments.requestId;
  comments.loading = true;
  comments.spinner.hidden = false;
  comments.more.hidden = true;
  comments.empty.hidden = true;
  const params = new URLSearchParams();
  if (comments.cursor) params.set("cursor", comments.cursor);
  const query = params.toString() ? `?${params}` : "";
  try {
    const page = await api(`/api/v1/videos/${item.video.id}/comments${query}`);
    if (requestId !== comments.requestId) return;
    for (const comment of page.comments || []) {
      if (!comments.list.querySelector(`:scope > [data-comment-id="${comment.id}"]`)) {
        comments.list.append(buildComment(comment, item));
      }
    }
    comments.cursor = page.next_cursor || null;
    comments.more.hidden = !comments.cursor;
    comments.empty.hidden = comments.list.childElementCount > 0;
  } catch (error) {
    if (requestId !== comments.requestId) return;
    toast(error.message, { kind: "error" });
    comments.more.hidden = false;
  } finally {
    if (requestId === comments.requestId) {
      comments.loading = false;
      comments.spinner.hidden = true;
    }
  }
}

comments.more.addEventListener("click", () => loadComments());

function buildComment(comment, item, { isReply = false } = {}) {
  const video = item.video;
  const node = el("li", isReply ? "comment reply" : "comment");
  node.dataset.testid = "comment-item";
  node.dataset.commentId = String(comment.id);

  const authorLink = el("a", "comment-avatar");
  authorLink.href = comment.author.url;
  authorLink.setAttribute("aria-label", `@${comment.author.username}`);
  authorLink.append(avatar(comment.author, "small"));

  const main = el("div", "comment-main");
  const meta = el("div", "comment-meta");
  const name = el("a", "comment-author", comment.author.display_name || comment.author.username);
  name.href = comment.author.url;
  meta.append(name);
  if (comment.author.username === video.owner.username) meta.append(el("span", "badge creator-badge", t("creator_badge")));
  const time = el("time", "comment-time", timeAgo(comment.created_at));
  time.dateTime = comment.created_at;
  time.title = new Date(comment.created_at).toLocaleString();
  meta.append(time);

  const body = el("p", "comment-body");
  body.textContent = comment.body;

  const tools = el("div", "comment-tools");
  const reply = el("button", "link-button", t("reply"));
  reply.type = "button";
  reply.dataset.testid = "reply-button";
  reply.addEventListener("click", () => showReplyForm(node, comment, item));
  tools.append(reply);
  if (state.me && (state.me === comment.author.username || state.me === video.owner.username)) {
    const remove = el("button", "link-button danger", t("delete"));
    remove.type = "button";
    remove.dataset.testid = "comment-delete";
    remove.addEventListener("click", () => deleteComment(node, comment, item));
    tools.append(remove);
  }
  main.append(meta, body, tools);

  if (!isReply) {
    const replies = el("ul", "reply-list");
    replies.hidden = true;
    const toggle = el("button", "link-button view-replies");
    toggle.type = "button";
    toggle.dataset.testid = "view-replies";
    node.replyState = { comment, replies, toggle, cursor: null, loaded: false, shown: 0 };
    toggle.addEventListener("click", () => toggleReplies(node, item));
    main.append(replies, toggle);
    renderRepliesToggle(node);
  }

  const like = el("button", "comment-like");
  like.type = "button";
  like.dataset.testid = "comment-like";
  like.setAttribute("aria-label", t("like_comment"));
  const likeCount = el("span", "comment-like-count");
  like.append(icon(ICONS.heart, { fill: true }), likeCount);
  const renderCommentLike = () => {
    like.setAttribute("aria-pressed", String(Boolean(comment.liked_by_me)));
    like.classList.toggle("active", Boolean(comment.liked_by_me));
    likeCount.textContent = comment.likes_count > 0 ? compactNumber(comment.likes_count) : "";
  };
  renderCommentLike();
  like.addEventListener("click", () => likeComment(comment, item, renderCommentLike, like));

  node.append(authorLink, main, like);
  return node;
}

function renderRepliesToggle(node) {
  const replyState = node.replyState;
  if (!replyState) return;
  const remaining = Math.max(0, replyState.comment.replies_count - replyState.shown);
  const { toggle, replies } = replyState;
  if (remaining > 0 && (!replyState.loaded || replyState.cursor)) {
    toggle.textContent = replyState.shown > 0 ? t("more_replies") : plural("view_replies", remaining);
    toggle.hidden = false;
    toggle.dataset.mode = "load";
  } else if (replyState.shown > 0) {
    toggle.textContent = replies.hidden ? plural("view_replies", replyState.shown) : t("hide_replies");
    toggle.hidden = false;
    toggle.dataset.mode = "toggle";
  } else {
    toggle.hidden = true;
  }
  toggle.setAttribute("aria-expanded", String(!replies.hidden));
}

async function toggleReplies(node, item) {
  const replyState = node.replyState;
  if (replyState.toggle.dataset.mode === "toggle") {
    replyState.replies.hidden = !replyState.replies.hidden;
    renderRepliesToggle(node);
    return;
  }
  replyState.toggle.disabled = true;
  const params = new URLSearchParams({ parent_id: String(replyState.comment.id) });
  if (replyState.cursor) params.set("cursor", replyState.cursor);
  try {
    const page = await api(`/api/v1/videos/${item.video.id}/comments?${params}`);
    for (const reply of page.comments || []) {
      if (replyState.replies.querySelector(`[data-comment-id="${reply.id}"]`)) continue;
      replyState.replies.append(buildComment(reply, item, { isReply: true }));
      replyState.shown += 1;
    }
    replyState.cursor = page.next_cursor || null;
    replyState.loaded = true;
    replyState.replies.hidden = false;
  } catch (error) {
    toast(error.message, { kind: "error" });
  } finally {
    replyState.toggle.disabled = false;
    renderRepliesToggle(node);
  }
}

function showReplyForm(node, comment, item) {
  if (!isLoggedIn()) {
    goToLogin(item.video.url);
    return;
  }
  const topNode = comment.parent_id ? node.parentElement.closest(".comment") : node;
  const parentId = comment.parent_id || comment.id;
  let form = topNode.querySelector(":scope > .comment-main > .reply-form");
  if (!form) {
    form = el("form", "reply-form");
    form.noValidate = true;
    const input = el("textarea", "reply-input");
    input.rows = 1;
    input.maxLength = 1000;
    input.dataset.testid = "reply-input";
    const actions = el("div", "reply-actions");
    const cancel = el("button", "link-button", t("cancel"));
    cancel.type = "button";
    cancel.addEventListener("click", () => form.remove());
    const send = el("button", "button primary small", t("comment_send"));
    send.type = "submit";
    send.dataset.testid = "reply-submit";
    actions.append(cancel, send);
    form.append(input, actions);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      send.disabled = true;
      try {
        const created = await api(`/api/v1/videos/${item.video.id}/comments`, {
          method: "POST",
          json: { body: text, parent_id: Number(form.dataset.parentId) },
        });
        const replyState = topNode.replyState;
        replyState.comment.replies_count += 1;
        replyState.replies.append(buildComment(created, item, { isReply: true }));
        replyState.shown += 1;
        replyState.replies.hidden = false;
        renderRepliesToggle(topNode);
        item.video.comments_count += 1;
        renderCounts(item.video.id);
        renderCommentsTitle();
        form.remove();
      } catch (error) {
        if (error.status === 401) goToLogin(item.video.url);
        else toast(error.message, { kind: "error" });
      } finally {
        send.disabled = false;
      }
    });
    const main = topNode.querySelector(":scope > .comment-main");
    main.insertBefore(form, main.querySelector(":scope > .reply-list"));
  }
  form.dataset.parentId = String(parentId);
  const input = form.querySelector("textarea");
  input.placeholder = t("reply_placeholder", { username: comment.author.username });
  if (comment.parent_id && !input.value) input.value = `@${comment.author.username} `;
  input.focus();
}

async function likeComment(comment, item, render, buttonNode) {
  if (!isLoggedIn()) {
    goToLogin(item.video.url);
    return;
  }
  if (buttonNode.disabled) return;
  buttonNode.disabled = true;
  const liked = !comment.liked_by_me;
  const before = { liked: comment.liked_by_me, count: comment.likes_count };
  comment.liked_by_me = liked;
  comment.likes_count = Math.max(0, comment.likes_count + (liked ? 1 : -1));
  render();
  try {
    const result = await api(`/api/v1/videos/${item.video.id}/comments/${comment.id}/like`, {
      method: liked ? "POST" : "DELETE",
    });
    comment.liked_by_me = result.liked;
    comment.likes_count = result.likes_count;
  } catch (error) {
    comment.liked_by_me = before.liked;
    comment.likes_count = before.count;
    if (error.status === 401) goToLogin(item.video.url);
    else toast(error.message, { kind: "error" });
  } finally {
    buttonNode.disabled = false;
    render();
  }
}

async function deleteComment(node, comment, item) {
  if (!window.confirm(t("delete_confirm"))) return;
  try {
    await api(`/api/v1/videos/${item.video.id}/comments/${comment.id}`, { method: "DELETE" });
    const removed = 1 + (comment.parent_id ? 0 : comment.replies_count || 0);
    const topNode = comment.parent_id ? node.parentElement.closest(".comment") : null;
    node.remove();
    if (topNode && topNode.replyState) {
      topNode.replyState.comment.replies_count = Math.max(0, topNode.replyState.comment.replies_count - 1);
      topNode.replyState.shown = Math.max(0, topNode.replyState.shown - 1);
      renderRepliesToggle(topNode);
    }
    item.video.comments_count = Math.max(0, item.video.comments_count - removed);
    renderCounts(item.video.id);
    renderCommentsTitle();
    comments.empty.hidden = comments.list.childElementCount > 0;
    toast(t("comment_deleted"));
  } catch (error) {
    toast(error.message, { kind: "error" });
  }
}

if (comments.form) {
  const syncSubmit = () => {
    comments.submit.disabled = comments.input.value.trim() === "";
    comments.input.style.height = "auto";
    comments.input.style.height = `${Math.min(comments.input.scrollHeight, 120)}px`;
  };
  comments.input.addEventListener("input", syncSubmit);
  comments.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      comments.form.requestSubmit();
    }
  });
  comments.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item = comments.item;
    const text = comments.input.value.trim();
    if (!item || !text) return;
    comments.submit.disabled = true;
    try {
      const created = await api(`/api/v1/videos/${item.video.id}/comments`, { method: "POST", json: { body: text } });
      comments.list.prepend(buildComment(created, item));
      comments.empty.hidden = true;
      comments.input.value = "";
      item.video.comments_count += 1;
      renderCounts(item.video.id);
      renderCommentsTitle();
      comments.list.firstElementChild.scrollIntoView({ block: "nearest", behavior: scrollBehavior() });
    } catch (error) {
      if (error.status === 401) goToLogin(item.video.url);
      else toast(error.message, { kind: "error" });
    } finally {
      syncSubmit();
    }
  });
}

// --- Share

const share = {
  item: null,
  whatsapp: shareSheet.querySelector('[data-testid="share-whatsapp"]'),
  copy: shareSheet.querySelector('[data-testid="share-copy"]'),
  native: shareSheet.querySelector('[data-testid="share-native"]'),
  url: shareSheet.querySelector("[data-share-url]"),
};

function shareText(video) {
  const caption = (video.caption || "").replace(/\s+/g, " ").trim();
  if (!caption) return t("share_text", { username: video.owner.username });
  return caption.length > 100 ? `${caption.slice(0, 100).trimEnd()}…` : caption;
}

function openShare(item) {
  share.item = item;
  openSheetTrigger = item.shareButton;
  const url = absoluteUrl(item.video.url);
  share.whatsapp.href = `https://wa.me/?text=${encodeURIComponent(`${shareText(item.video)} ${url}`)}`;
  share.url.textContent = url;
  share.native.hidden = typeof navigator.share !== "function";
  shareSheet.hidden = false;
  updateBackdrop();
  share.copy.focus({ preventScroll: true });
}

function recordShare(item, channel) {
  item.video.shares_count += 1;
  renderCounts(item.video.id);
  api(`/api/v1/videos/${item.video.id}/share`, { method: "POST", json: { channel } }).catch(() => {});
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Fall through to the older way.
    }
  }
  const field = el("textarea", "visually-hidden");
  field.value = text;
  field.setAttribute("readonly", "");
  document.body.append(field);
  field.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  field.remove();
  return copied;
}

share.copy.addEventListener("click", async () => {
  const item = share.item;
  if (!item) return;
  const url = absoluteUrl(item.video.url);
  if (await copyText(url)) {
    toast(t("link_copied"), { kind: "success" });
    recordShare(item, "copy_link");
    closeSheets();
  } else {
    toast(t("copy_failed", { url }), { kind: "error", duration: 6000 });
  }
});

share.whatsapp.addEventListener("click", () => {
  const item = share.item;
  if (!item) return;
  recordShare(item, "whatsapp");
  window.setTimeout(() => closeSheets({ restoreFocus: false }), 0);
});

share.native.addEventListener("click", async () => {
  const item = share.item;
  if (!item || typeof navigator.share !== "function") return;
  try {
    await navigator.share({ title: "Kilas", text: shareText(item.video), url: absoluteUrl(item.video.url) });
    recordShare(item, "native");
    closeSheets();
  } catch (error) {
    if (error && error.name !== "AbortError") toast(t("error_generic"), { kind: "error" });
  }
});

// ---------------------------------------------------------------------------------------------
// Keyboard, visibility, resize

function typingTarget(target) {
  return target instanceof Element && Boolean(target.closest("input, textarea, select, [contenteditable]"));
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && (!shareSheet.hidden || (comments.open && !docked.matches))) {
    closeSheets();
    return;
  }
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typingTarget(event.target)) return;
  if (!shareSheet.hidden || (comments.open && !docked.matches)) return;
  const current = state.items[state.active];
  switch (event.key) {
    case "ArrowDown":
    case "j":
    case "PageDown":
      event.preventDefault();
      step(1);
      break;
    case "ArrowUp":
    case "k":
    case "PageUp":
      event.preventDefault();
      step(-1);
      break;
    case "m":
      setMuted(!state.muted);
      break;
    case " ":
      if (current && !(event.target instanceof Element && event.target.closest("button, a"))) {
        event.preventDefault();
        togglePlay(current);
      }
      break;
    case "l":
      if (current) setLike(current, !current.video.liked_by_me);
      break;
    default:
      break;
  }
});

document.addEventListener("visibilitychange", () => {
  const current = state.items[state.active];
  if (!current) return;
  if (document.hidden) current.videoEl.pause();
  else if (!current.userPaused) play(current);
});

let resizeTimer = 0;
window.addEventListener("resize", () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    const current = state.items[state.active];
    if (current) feed.scrollTo({ top: current.slide.offsetTop, behavior: "auto" });
    updateBackdrop();
  }, 150);
});

// ---------------------------------------------------------------------------------------------
// Start

function start() {
  const initial = Array.isArray(data.videos) ? data.videos : [];
  if (state.tab === "video") {
    // One video, then more from For You so the viewer can keep swiping.
    state.apiUrl = FOR_YOU_API;
    state.cursor = null;
    state.hasMore = true;
  } else {
    state.hasMore = Boolean(state.cursor) || initial.length === 0;
  }
  addVideos(initial, { forYou: state.tab === "foryou" });
  feed.setAttribute("aria-busy", "false");
  const topRefresh = document.querySelector('[data-testid="refresh-feed"]');
  if (topRefresh) topRefresh.addEventListener("click", () => refreshFeed());

  if (state.items.length > 0) {
    manageWindow(0);
    if (state.tab === "video") {
      const first = state.items[0];
      comments.info.dataset.serverRendered = "true";
      comments.info.dataset.videoId = String(first.video.id);
      openComments(first, { userAction: false });
    }
  }
  if (state.items.length === 0) {
    loadMore();
  } else if (!state.hasMore) {
    showEnd();
  } else if (state.items.length <= LOAD_MORE_DISTANCE) {
    loadMore();
  }
}

start();
