// Feedback buttons: POST /v1/feedback (the API) and show the verdict in the list at once.
import { alertFor, t } from "./i18n.js";

const USER_KEY = "kakehashi.feedbackUser";

function userField() {
  const field = document.getElementById("feedback-user");
  if (field && !field.dataset.ready) {
    field.value = window.localStorage.getItem(USER_KEY) || "";
    field.addEventListener("change", () => window.localStorage.setItem(USER_KEY, field.value.trim()));
    field.dataset.ready = "1";
  }
  return field;
}

function recordedItem(record) {
  const item = document.createElement("li");
  item.dataset.label = record.label;
  const label = document.createElement("strong");
  label.textContent = t(`feedback.label.${record.label}`);
  const time = document.createElement("time");
  time.dateTime = record.created_at;
  time.textContent = ` ${record.created_at.slice(0, 16).replace("T", " ")}`;
  item.append(label, time);
  if (record.user) item.append(` · ${record.user}`);
  if (record.note) item.append(` — ${record.note}`);
  return item;
}

async function send(form, label) {
  const status = form.querySelector(".recorded");
  form.querySelector(".alert")?.remove();
  const body = {
    japanese_id: form.dataset.japaneseId,
    israeli_id: form.dataset.israeliId,
    label,
    note: form.elements.note.value.trim(),
    user: userField()?.value.trim() || "",
  };
  const buttons = form.querySelectorAll("button");
  buttons.forEach((button) => { button.disabled = true; });
  status.textContent = t("js.feedback.saving");
  try {
    const response = await fetch(form.dataset.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) {
      status.textContent = "";
      form.append(alertFor(answer));
      return;
    }
    buttons.forEach((button) => button.setAttribute("aria-pressed", String(button.value === label)));
    form.querySelector(".recorded-list").prepend(recordedItem(answer));
    form.elements.note.value = "";
    status.textContent = t("js.feedback.saved", { label: t(`feedback.label.${label}`) });
  } catch {
    status.textContent = "";
    form.append(alertFor({ error: { code: "network" } }));
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}

export function initFeedback() {
  userField();
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-feedback]");
    if (!form) return;
    event.preventDefault();
    const label = event.submitter?.value;
    if (label) send(form, label);
  });
}
