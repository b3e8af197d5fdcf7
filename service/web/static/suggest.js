// Suggest companies as the user types (GET /v1/companies?q=), as an ARIA combobox with a listbox.
import { t } from "./i18n.js";

const LIMIT = 8;
const DELAY_MS = 150;

export function initSuggest(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const status = document.getElementById("suggest-status");
  const form = input.form;
  let timer = 0;
  let active = -1;
  let asked = 0;

  const options = () => Array.from(list.querySelectorAll('[role="option"]'));
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const choose = (index) => {
    const all = options();
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", all[index].id);
  };

  // Open the company, or (data-pick="<textarea id>") add its id to that list.
  function pick(option) {
    const target = input.dataset.pick && document.getElementById(input.dataset.pick);
    if (!target) {
      window.location.assign(option.dataset.href);
      return;
    }
    const ids = target.value.split(/[\s,、，]+/).filter(Boolean);
    if (!ids.includes(option.dataset.id)) ids.push(option.dataset.id);
    target.value = ids.join("\n");
    input.value = "";
    close();
    status.textContent = t("js.added", { name: option.firstChild.textContent });
  }

  async function fetchSuggestions() {
    const text = input.value.trim();
    if (!text) return close();
    const params = new URLSearchParams({ q: text, limit: String(LIMIT) });
    for (const name of ["country", "sector"]) {
      const value = input.dataset[name] || form.elements[name]?.value;
      if (value) params.set(name, value);
    }
    const ticket = ++asked;
    let body;
    try {
      const response = await fetch(`${input.dataset.suggest}?${params}`, { headers: { Accept: "application/json" } });
      body = await response.json();
      if (!response.ok) return close();
    } catch {
      return close();
    }
    if (ticket !== asked) return; // a newer keystroke already asked again
    render(body.items || []);
  }

  function render(items) {
    list.replaceChildren();
    items.forEach((item, i) => {
      const option = document.createElement("li");
      option.id = `suggestion-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.href = `/companies/${encodeURIComponent(item.id)}`;
      option.dataset.id = item.id;
      const name = document.createElement("span");
      const japanese = document.documentElement.lang === "ja" && item.name_ja;
      name.textContent = japanese ? item.name_ja : item.name;
      const meta = document.createElement("span");
      meta.className = "meta";
      const other = japanese ? item.name : item.name_ja;
      meta.textContent = [other, t(`js.country.${item.country}`), item.city].filter(Boolean).join(" · ");
      option.append(name, meta);
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(option);
      });
      list.append(option);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(items.length > 0));
    status.textContent = items.length ? t("js.suggest_count", { n: items.length }) : t("js.no_suggestions");
    active = -1;
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    const all = options();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      choose((active + 1) % all.length);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      choose(active <= 0 ? all.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      pick(all[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => window.setTimeout(close, 100));
}
