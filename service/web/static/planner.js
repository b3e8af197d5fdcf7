// The planner: the form becomes the JSON body of POST /v1/delegations/schedule; the answer is
// drawn as a grid per day, per-firm agendas and the pairs that did not fit; downloads post the
// same body with ?format=csv|xlsx|ics.
import { alertFor, t } from "./i18n.js";

const SPLIT = /[\s,、，]+/;
const number = (id) => Number(document.getElementById(id).value);
const cell = (tag, text, attributes = {}) => {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  Object.entries(attributes).forEach(([name, value]) => element.setAttribute(name, value));
  return element;
};

class InputProblem extends Error {}

function pairs(id, field, withSlot) {
  const lines = document.getElementById(id).value.split("\n");
  const found = [];
  lines.forEach((line, index) => {
    const parts = line.trim().split(SPLIT).filter(Boolean);
    if (!parts.length) return;
    const counts = parts.slice(2).map(Number);
    const ok = parts.length >= 2 && (withSlot ? parts.length <= 4 : parts.length === 2);
    if (!ok || counts.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new InputProblem(t("js.planner.bad_line", { field, line: index + 1 }));
    }
    const pair = { japanese_id: parts[0], israeli_id: parts[1] };
    if (withSlot && counts.length) pair.day = counts[0] - 1;
    if (withSlot && counts.length > 1) pair.slot = counts[1] - 1;
    found.push(pair);
  });
  return found;
}

function requestBody(form) {
  const ids = form.elements.japanese_ids.value.split(SPLIT).filter(Boolean);
  if (!ids.length) throw new InputProblem(t("js.planner.no_firms"));
  const days = Array.from(form.querySelectorAll("[data-day]")).map((day) => {
    const value = (name) => day.querySelector(`[data-name="${name}"]`).value;
    return {
      date: value("date"), venue: value("venue"), start: value("start"),
      slots: Number(value("slots")), slot_minutes: Number(value("slot_minutes")),
    };
  });
  const sectors = Array.from(form.querySelectorAll('input[name="pool_sector"]:checked')).map((box) => box.value);
  const label = (id) => document.querySelector(`label[for="${id}"]`).textContent;
  return {
    japanese_ids: ids,
    pool: { sectors, cities: [], ids: [] },
    days,
    capacity: {
      israeli_default: number("israeli_default"),
      japanese_min: number("japanese_min"),
      japanese_max: number("japanese_max"),
    },
    min_strength: form.querySelector("#min_strength").value,
    skip_known: form.querySelector("#skip_known").checked,
    skip_not_relevant: form.querySelector("#skip_not_relevant").checked,
    pins: pairs("pins", label("pins"), true),
    forbid: pairs("forbid", label("forbid"), false),
  };
}

function grid(schedule, day, japaneseIds, names) {
  const meetings = schedule.meetings.filter((m) => m.day === day.day);
  const starts = {};
  meetings.forEach((m) => { starts[m.slot] = m.start; });
  const table = cell("table", undefined, { "data-day-grid": String(day.day) });
  table.append(cell("caption", t("js.planner.day_caption", { n: day.day + 1, date: day.date, venue: day.venue })));
  const head = cell("tr");
  head.append(cell("th", t("js.planner.firm"), { scope: "col" }));
  for (let slot = 0; slot < day.slots; slot += 1) {
    const label = t("js.planner.slot", { n: slot + 1 }) + (starts[slot] ? ` ${starts[slot]}` : "");
    head.append(cell("th", label, { scope: "col" }));
  }
  table.append(cell("thead"));
  table.tHead.append(head);
  const body = cell("tbody");
  japaneseIds.forEach((id) => {
    const row = cell("tr", undefined, { "data-firm": id });
    row.append(cell("th", names[id] || id, { scope: "row" }));
    for (let slot = 0; slot < day.slots; slot += 1) {
      const meeting = meetings.find((m) => m.japanese_id === id && m.slot === slot);
      const td = cell("td", meeting ? meeting.israeli_name : "");
      if (meeting) {
        td.dataset.partnerId = meeting.israeli_id;
        td.append(cell("br"), cell("span", `${meeting.score.toFixed(2)} · ${t(`js.strength.${meeting.strength}`)}`, { class: "meta" }));
      }
      row.append(td);
    }
    body.append(row);
  });
  table.append(body);
  const wrap = cell("div", undefined, { class: "table-wrap" });
  wrap.append(table);
  return wrap;
}

function agendas(schedule, names) {
  const box = cell("div");
  Object.entries(schedule.agendas).forEach(([firm, items]) => {
    const details = cell("details", undefined, { "data-agenda": firm });
    details.append(cell("summary", `${names[firm] || firm} (${items.length})`));
    const list = cell("ol");
    items.forEach((item) => {
      list.append(cell("li", `${item.date} ${item.start}–${item.end} · ${item.venue} · ${item.partner_name} (${item.score.toFixed(2)})`));
    });
    if (!items.length) list.append(cell("li", t("js.planner.no_meetings")));
    details.append(list);
    box.append(details);
  });
  return box;
}

function unplaced(schedule, names) {
  if (!schedule.unplaced.length) return cell("p", t("js.planner.none_unplaced"));
  const table = cell("table");
  const head = cell("tr");
  [t("js.planner.firm"), t("js.planner.partner"), t("js.planner.score"), t("js.planner.reason")].forEach((text) => head.append(cell("th", text, { scope: "col" })));
  table.append(cell("thead"));
  table.tHead.append(head);
  const body = cell("tbody");
  schedule.unplaced.forEach((pair) => {
    const row = cell("tr", undefined, { "data-reason": pair.reason });
    row.append(cell("td", names[pair.japanese_id] || pair.japanese_id), cell("td", pair.israeli_name || pair.israeli_id),
      cell("td", pair.score.toFixed(2)), cell("td", t(`js.reason.${pair.reason}`)));
    body.append(row);
  });
  table.append(body);
  return table;
}

function show(schedule, body) {
  const names = {};
  schedule.meetings.forEach((m) => { names[m.japanese_id] = m.japanese_name; names[m.israeli_id] = m.israeli_name; });
  const proof = schedule.gap === 0 ? t("js.planner.optimal") : t("js.planner.gap", { gap: (schedule.gap * 100).toFixed(2) });
  document.getElementById("schedule-summary").textContent = t("js.planner.summary", {
    meetings: schedule.meetings.length, objective: schedule.objective.toFixed(2), proof,
  });
  document.getElementById("schedule-grids").replaceChildren(...schedule.days.map((day) => grid(schedule, day, body.japanese_ids, names)));
  document.getElementById("schedule-agendas").replaceChildren(agendas(schedule, names));
  document.getElementById("schedule-unplaced").replaceChildren(unplaced(schedule, names));
  const section = document.getElementById("schedule");
  section.hidden = false;
  document.getElementById("schedule-heading").focus();
}

async function post(endpoint, body, format) {
  const url = format ? `${endpoint}?format=${format}` : endpoint;
  return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

async function download(endpoint, body, format, status) {
  status.textContent = t("js.planner.downloading");
  const response = await post(endpoint, body, format);
  if (!response.ok) throw await response.json();
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || `schedule.${format}`;
  const link = cell("a", undefined, { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  status.textContent = "";
}

export function initPlanner(form) {
  const progress = document.getElementById("planner-progress");
  const errors = document.getElementById("planner-error");
  const status = document.getElementById("suggest-status");
  let lastBody = null;
  const fail = (problem) => {
    const box = problem instanceof InputProblem ? alertFor(null) : alertFor(problem?.error ? problem : { error: { code: "network" } });
    if (problem instanceof InputProblem) box.querySelector(".alert-title").textContent = problem.message;
    errors.replaceChildren(box);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    let body;
    try { body = requestBody(form); } catch (problem) { fail(problem); return; }
    progress.hidden = false;
    form.querySelector('button[type="submit"]').disabled = true;
    try {
      const response = await post(form.dataset.endpoint, body);
      const answer = await response.json();
      if (!response.ok) { fail(answer); return; }
      lastBody = body;
      show(answer, body);
    } catch (problem) {
      fail(problem);
    } finally {
      progress.hidden = true;
      form.querySelector('button[type="submit"]').disabled = false;
    }
  });
  document.querySelectorAll("[data-download]").forEach((button) => button.addEventListener("click", async () => {
    errors.replaceChildren();
    try { await download(form.dataset.endpoint, lastBody, button.dataset.download, status); } catch (problem) { fail(problem); }
  }));
  document.getElementById("japanese_file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const ids = (await file.text()).split(/\r?\n/).map((line) => line.split(/[,;\t]/)[0].trim().replace(/^"|"$/g, ""))
      .filter((id) => id && id.toLowerCase() !== "id");
    const target = form.elements.japanese_ids;
    target.value = Array.from(new Set([...target.value.split(SPLIT).filter(Boolean), ...ids])).join("\n");
  });
  const days = document.getElementById("days");
  const renumber = () => days.querySelectorAll("[data-day]").forEach((day, index) => {
    day.querySelector("[data-day-number]").textContent = String(index + 1);
    day.querySelectorAll("[data-name]").forEach((field) => {
      const id = `day-${index}-${field.dataset.name}`;
      day.querySelector(`label[for="${field.id}"]`).setAttribute("for", id);
      field.id = id;
    });
    day.querySelector("[data-remove-day]").disabled = days.children.length === 1;
  });
  document.getElementById("add-day").addEventListener("click", () => {
    const last = days.lastElementChild;
    const copy = last.cloneNode(true);
    const date = copy.querySelector('[data-name="date"]');
    const next = new Date(`${last.querySelector('[data-name="date"]').value}T00:00:00Z`);
    if (!Number.isNaN(next.getTime())) { next.setUTCDate(next.getUTCDate() + 1); date.value = next.toISOString().slice(0, 10); }
    copy.querySelector('[data-name="venue"]').value = last.querySelector('[data-name="venue"]').value;
    days.append(copy);
    renumber();
  });
  days.addEventListener("click", (event) => {
    if (!event.target.matches("[data-remove-day]") || days.children.length === 1) return;
    event.target.closest("[data-day]").remove();
    renumber();
  });
  renumber();
}
