// The search page: suggestions while typing (words, hashtags, people, topics), with the keyboard.
import { api } from "./common.js";

const input = document.querySelector('[data-testid="search-input"]');
const list = document.querySelector('[data-testid="search-suggestions"]');
const form = document.querySelector("[data-search-form]");
let timer = null;
let controller = null;
let active = -1;
let items = [];

function close() {
  list.hidden = true;
  list.replaceChildren();
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
  items = [];
}

function highlight(index) {
  active = index;
  items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
  if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
}

function show(suggestions) {
  list.replaceChildren();
  items = suggestions.map((suggestion, index) => {
    const li = document.createElement("li");
    li.id = `suggestion-${index}`;
    li.setAttribute("role", "option");
    li.dataset.testid = "search-suggestion";
    li.dataset.kind = suggestion.kind;
    const link = document.createElement("a");
    link.href = suggestion.kind === "query" ? `/cari?q=${encodeURIComponent(suggestion.text)}` : suggestion.url;
    link.textContent = suggestion.text;
    link.tabIndex = -1;
    li.append(link);
    list.append(li);
    return li;
  });
  list.hidden = items.length === 0;
  input.setAttribute("aria-expanded", String(items.length > 0));
}

async function fetchSuggestions() {
  const q = input.value.trim();
  if (q.length < 2) {
    close();
    return;
  }
  controller?.abort();
  controller = new AbortController();
  try {
    const result = await api(`/api/v1/search/suggest?q=${encodeURIComponent(q)}`, { signal: controller.signal });
    if (input.value.trim() === q) show(result.suggestions || []);
  } catch (error) {
    if (error.name !== "AbortError") close();
  }
}

if (input && list) {
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Escape") {
      close();
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(items[active].querySelector("a").href);
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 200));
  form?.addEventListener("submit", close);
}
