// Filters that update the results without a full reload: the same GET form, answered as an HTML
// fragment (header X-Kakehashi-Fragment: 1) rendered by the same view and swapped in place.
import { alertFor } from "./i18n.js";

export function initLiveResults(form) {
  const target = document.getElementById(form.dataset.liveResults);
  let asked = 0;

  async function update() {
    const params = new URLSearchParams(new FormData(form));
    const url = `${form.action}?${params}`;
    const ticket = ++asked;
    target.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { headers: { "X-Kakehashi-Fragment": "1" } });
      const html = await response.text();
      if (ticket !== asked) return;
      target.innerHTML = html; // server-rendered and escaped by Jinja: the same HTML a reload gives
      window.history.replaceState(null, "", url);
      target.dispatchEvent(new CustomEvent("results-updated", { bubbles: true }));
    } catch {
      if (ticket !== asked) return;
      target.replaceChildren(alertFor({ error: { code: "network" } }));
    } finally {
      if (ticket === asked) target.setAttribute("aria-busy", "false");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
  form.addEventListener("change", () => update());
  let timer = 0;
  form.addEventListener("input", (event) => {
    if (event.target.type !== "text") return;
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 300);
  });
}
