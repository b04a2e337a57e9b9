// Helpers shared by every page: API calls, translated strings, toasts, number and time formatting.
// base.html loads this module on every page; page scripts import what they need from it.

const lang = (document.documentElement.lang || "id").toLowerCase().startsWith("en") ? "en" : "id";

// Used only when a page did not hand its strings over (pages without a ui-strings block).
const FALLBACK_STRINGS = {
  id: {
    error_generic: "Terjadi kesalahan. Coba lagi, ya.",
    error_network: "Tidak ada koneksi. Periksa internetmu lalu coba lagi.",
    close: "Tutup",
  },
  en: {
    error_generic: "Something went wrong. Please try again.",
    error_network: "No connection. Check your internet and try again.",
    close: "Close",
  },
};

let strings = null;

function loadStrings() {
  if (strings) return strings;
  strings = {};
  const node = document.getElementById("ui-strings");
  if (node) {
    try {
      strings = JSON.parse(node.textContent || "{}") || {};
    } catch (error) {
      console.error("ui-strings is not valid JSON", error);
    }
  }
  return strings;
}

/** The translated string for `key`, with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = loadStrings()[key] ?? FALLBACK_STRINGS[lang][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function currentLang() {
  return lang;
}

/** Reads a `<script type="application/json" id="...">` data block. */
export function readJson(id, fallback = null) {
  const node = document.getElementById(id);
  if (!node) return fallback;
  try {
    return JSON.parse(node.textContent || "null") ?? fallback;
  } catch (error) {
    console.error(`${id} is not valid JSON`, error);
    return fallback;
  }
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") || "" : "";
}

/** An Error whose message is ready to show to the user (the server already translated it). */
export class ApiError extends Error {
  constructor(message, { status = 0, code = "error" } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls the JSON API on the same origin with the session cookie.
 * Resolves with the parsed body (null for an empty one); rejects with an ApiError carrying
 * `.message` in the user's language, `.status` (0 when the network failed) and `.code`.
 */
export async function api(path, { method = "GET", json, headers = {}, signal } = {}) {
  const upper = method.toUpperCase();
  const sent = { Accept: "application/json", ...headers };
  if (upper !== "GET" && upper !== "HEAD") sent["X-CSRF-Token"] = csrfToken();
  let body;
  if (json !== undefined) {
    sent["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method: upper, headers: sent, body, credentials: "same-origin", signal });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(t("error_network"), { status: 0, code: "network" });
  }
  const text = response.status === 204 ? "" : await response.text().catch(() => "");
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const detail = data && typeof data === "object" && data.error ? data.error : {};
    throw new ApiError(detail.message || t("error_generic"), {
      status: response.status,
      code: detail.code || "error",
    });
  }
  return data;
}

/** The login page, coming back to `next` (default: this page) afterwards. */
export function loginUrl(next = window.location.pathname + window.location.search) {
  return `/login?next=${encodeURIComponent(next)}`;
}

export function goToLogin(next) {
  window.location.assign(loginUrl(next));
}

let toastRegion = null;

/** A short message at the bottom of the screen. kind: "info" | "error" | "success". */
export function toast(message, { kind = "info", duration = 3200 } = {}) {
  if (!message) return;
  if (!toastRegion || !toastRegion.isConnected) {
    toastRegion = document.createElement("div");
    toastRegion.className = "toast-region";
    toastRegion.setAttribute("role", "status");
    toastRegion.setAttribute("aria-live", "polite");
    document.body.append(toastRegion);
  }
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  item.textContent = message;
  toastRegion.append(item);
  while (toastRegion.children.length > 3) toastRegion.firstElementChild.remove();
  requestAnimationFrame(() => item.classList.add("visible"));
  window.setTimeout(() => {
    item.classList.remove("visible");
    window.setTimeout(() => item.remove(), 300);
  }, duration);
}

/** 1234 -> "1,2 rb" (id) / "1.2K" (en), like the server's compact_number. */
export function compactNumber(value) {
  const number = Number(value) || 0;
  if (number < 1000) return String(number);
  const units = [
    [1e9, "M", "B"],
    [1e6, "jt", "M"],
    [1e3, "rb", "K"],
  ];
  for (const [size, idUnit, enUnit] of units) {
    if (number >= size) {
      const shown = (number / size).toFixed(1).replace(/\.0$/, "");
      return lang === "id" ? `${shown.replace(".", ",")} ${idUnit}` : `${shown}${enUnit}`;
    }
  }
  return String(number);
}

/** "just now", "5m ago", "3h ago", ... then a short date. */
export function timeAgo(isoDate) {
  const then = new Date(isoDate);
  if (Number.isNaN(then.getTime())) return "";
  const seconds = Math.max(0, (Date.now() - then.getTime()) / 1000);
  if (seconds < 60) return t("just_now");
  if (seconds < 3600) return t("minutes_ago", { count: Math.floor(seconds / 60) });
  if (seconds < 86400) return t("hours_ago", { count: Math.floor(seconds / 3600) });
  if (seconds < 7 * 86400) return t("days_ago", { count: Math.floor(seconds / 86400) });
  if (seconds < 5 * 7 * 86400) return t("weeks_ago", { count: Math.floor(seconds / (7 * 86400)) });
  const sameYear = then.getFullYear() === new Date().getFullYear();
  return then.toLocaleDateString(lang === "id" ? "id-ID" : "en-GB", {
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}

/** Megabytes with one decimal in the user's number style. */
export function formatMegabytes(bytes) {
  return (bytes / 1048576).toLocaleString(lang === "id" ? "id-ID" : "en-US", {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
}

/** An element with a class and optional text, built without innerHTML. */
export function el(tag, className = "", text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** A 24×24 stroke or fill icon from path data. */
export function icon(paths, { fill = false, className = "icon" } = {}) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", className);
  for (const d of [].concat(paths)) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  svg.classList.add(fill ? "icon-fill" : "icon-stroke");
  return svg;
}
