// The admin page: every action is a call to /v1/admin with the token kept in sessionStorage
// (this browser session only; never in a URL).
import { alertFor, t } from "./i18n.js";

const TOKEN_KEY = "kakehashi.adminToken";
const POLL_MS = 1000;
const el = (tag, text, attributes = {}) => {
  const element = document.createElement(tag);
  if (text !== undefined && text !== null) element.textContent = text;
  Object.entries(attributes).forEach(([name, value]) => element.setAttribute(name, value));
  return element;
};
const table = (headers, rows) => {
  const box = el("table");
  const head = el("tr");
  headers.forEach((text) => head.append(el("th", text, { scope: "col" })));
  box.append(el("thead"));
  box.tHead.append(head);
  const body = el("tbody");
  rows.forEach((cells) => {
    const row = el("tr");
    cells.forEach((content) => {
      const td = el("td");
      td.append(content instanceof Node ? content : document.createTextNode(String(content ?? "")));
      row.append(td);
    });
    body.append(row);
  });
  box.append(body);
  return box;
};
const busy = () => el("progress", undefined, { "aria-label": t("js.loading") });

export function initAdmin(root) {
  const base = root.dataset.base;
  const token = () => window.sessionStorage.getItem(TOKEN_KEY) || "";
  const work = document.getElementById("admin-work");
  let following = null;

  async function call(path, options = {}) {
    const headers = { Authorization: `Bearer ${token()}`, Accept: "application/json", ...(options.headers || {}) };
    const response = await fetch(`${base}${path}`, { ...options, headers });
    const body = await response.json().catch(() => ({ error: { code: "http_error" } }));
    if (!response.ok) throw body;
    return body;
  }
  const showError = (target, problem) => {
    target.replaceChildren(alertFor(problem?.error ? problem : { error: { code: "network" } }));
  };

  function signedIn(yes) {
    work.hidden = !yes;
    document.getElementById("token-form").hidden = yes;
    document.getElementById("signed-in").hidden = !yes;
  }

  async function versions() {
    const target = document.getElementById("versions");
    target.replaceChildren(busy());
    const listed = await call("/versions");
    const rows = listed.items.slice().reverse().map((item) => {
      const quality = item.metrics ? `${item.metrics["JP -> IL"]?.["hit@10"] ?? "—"} / ${item.metrics["IL -> JP"]?.["hit@10"] ?? "—"}` : "—";
      const status = item.damaged ? t("js.admin.damaged") : item.promoted ? t("js.admin.promoted") : "";
      let action = "";
      if (!item.promoted && !item.damaged) {
        action = el("button", t("js.admin.promote", { version: item.version }), { type: "button", class: "secondary", "data-promote": item.version });
      }
      const companies = item.companies ? `${item.companies.JP ?? 0} / ${item.companies.IL ?? 0}` : "—";
      return [item.version, item.created_at ?? "", companies, quality, status, action];
    });
    target.replaceChildren(table([t("js.admin.version"), t("js.admin.created"), t("js.admin.companies"), t("js.admin.quality"), t("js.admin.status"), ""], rows));
    for (const id of ["diff-a", "diff-b"]) {
      const select = document.getElementById(id);
      select.replaceChildren(...listed.items.map((item) => el("option", item.version, { value: item.version })));
    }
    const count = listed.items.length;
    if (count > 1) document.getElementById("diff-a").selectedIndex = count - 2;
    document.getElementById("diff-b").selectedIndex = count - 1;
    return listed;
  }

  function drawJob(job) {
    const box = el("div", undefined, { "data-job-state": job.state });
    box.append(el("p", t("js.admin.job_line", { id: job.id, state: t(`js.admin.state.${job.state}`) }), { class: "job-state" }));
    if (job.state === "queued" || job.state === "running") box.append(busy());
    if (job.progress) box.append(el("p", t("js.admin.step", { step: job.progress.step, message: job.progress.message }), { lang: "en" }));
    if (job.version) box.append(el("p", t("js.admin.new_version", { version: job.version })));
    if (job.gate) {
      const verdict = job.gate.passed ? t("js.admin.gate_passed") : t("js.admin.gate_failed", { reason: job.gate.reason });
      box.append(el("p", verdict, { class: "gate", "data-gate-passed": String(job.gate.passed) }));
    }
    if (job.metrics) {
      const rows = Object.entries(job.metrics).map(([direction, values]) => [direction, values["hit@10"], values.mrr, values["ndcg@10"]]);
      box.append(table(["", "hit@10", "MRR", "nDCG@10"], rows));
    }
    if (job.error) box.append(alertFor({ error: { code: "internal_error", message: job.error } }));
    document.getElementById("job").replaceChildren(box);
  }

  async function follow(id) {
    following = id;
    while (following === id) {
      let job;
      try { job = await call(`/jobs/${encodeURIComponent(id)}`); } catch (problem) { showError(document.getElementById("job"), problem); return; }
      drawJob(job);
      if (!["queued", "running"].includes(job.state)) { versions().catch(() => {}); return; }
      await new Promise((resolve) => { window.setTimeout(resolve, POLL_MS); });
    }
  }

  function problems(answer) {
    const box = alertFor(answer);
    box.append(el("p", t("js.admin.problems", { total: answer.error.total })));
    const rows = answer.error.problems.map((p) => [p.file, p.line ?? "", p.column ?? "", p.message]);
    const listing = table([t("js.admin.file"), t("js.admin.line"), t("js.admin.column"), t("js.admin.message")], rows);
    listing.setAttribute("data-problems", "");
    box.append(listing);
    return box;
  }

  document.getElementById("token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = document.getElementById("token-error");
    errors.replaceChildren();
    window.sessionStorage.setItem(TOKEN_KEY, document.getElementById("admin-token").value.trim());
    document.getElementById("admin-token").value = "";
    try { await versions(); signedIn(true); } catch (problem) {
      window.sessionStorage.removeItem(TOKEN_KEY);
      signedIn(false);
      showError(errors, problem);
    }
  });
  document.getElementById("sign-out").addEventListener("click", () => {
    window.sessionStorage.removeItem(TOKEN_KEY);
    following = null;
    signedIn(false);
  });
  document.getElementById("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = document.getElementById("upload-result");
    const form = event.target;
    const data = new FormData();
    data.append("companies", form.elements.companies.files[0]);
    if (form.elements.partnerships.files[0]) data.append("partnerships", form.elements.partnerships.files[0]);
    if (form.elements.sheet.value.trim()) data.append("sheet", form.elements.sheet.value.trim());
    result.replaceChildren(busy());
    try {
      const accepted = await call("/datasets", { method: "POST", body: data });
      result.replaceChildren(el("p", t("js.admin.accepted", { id: accepted.id }), { class: "notice", role: "status" }));
      follow(accepted.id);
    } catch (answer) {
      if (answer?.error?.code === "invalid_list") { result.replaceChildren(problems(answer)); return; }
      showError(result, answer);
      if (answer?.error?.job_id) follow(answer.error.job_id);
    }
  });
  const switched = async (path, body) => {
    const result = document.getElementById("versions-result");
    try {
      const done = await call(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      result.replaceChildren(el("p", t("js.admin.switched", { version: done.model_version, previous: done.previous_version ?? "—" }), { class: "notice", role: "status" }));
      await versions();
    } catch (problem) { showError(result, problem); }
  };
  document.getElementById("versions").addEventListener("click", (event) => {
    const version = event.target.dataset?.promote;
    if (version) switched("/promote", { version });
  });
  document.getElementById("rollback").addEventListener("click", () => switched("/rollback", {}));
  document.getElementById("refresh-versions").addEventListener("click", () => versions().catch((p) => showError(document.getElementById("versions-result"), p)));
  document.getElementById("diff-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const target = document.getElementById("diff");
    const a = document.getElementById("diff-a").value;
    const b = document.getElementById("diff-b").value;
    const company = document.getElementById("diff-company").value.trim();
    target.replaceChildren(busy());
    try {
      const query = company ? `?company=${encodeURIComponent(company)}` : "";
      const found = await call(`/versions/${encodeURIComponent(a)}/diff/${encodeURIComponent(b)}${query}`);
      target.replaceChildren(found.firm ? firmDiff(found.firm) : summary(found.summary));
    } catch (problem) { showError(target, problem); }
  });
  const firmDiff = (firm) => {
    const box = el("div", undefined, { "data-diff": "firm" });
    box.append(el("h3", firm.name || firm.company_id));
    box.append(el("p", `${t("js.admin.entered")}: ${firm.entered.join(", ") || t("js.admin.nothing")}`));
    box.append(el("p", `${t("js.admin.left")}: ${firm.left.join(", ") || t("js.admin.nothing")}`));
    return box;
  };
  const summary = (found) => {
    const box = el("div", undefined, { "data-diff": "summary" });
    box.append(el("p", t("js.admin.compared", { changed: found.firms_changed, compared: found.firms_compared, k: found.k, overlap: found.mean_overlap.toFixed(1) })));
    if (found.most_changed.length) {
      box.append(el("h3", t("js.admin.most_changed")));
      box.append(table([t("js.planner.firm"), t("js.admin.entered"), t("js.admin.left")],
        found.most_changed.map((firm) => [firm.name || firm.company_id, firm.entered.join(", "), firm.left.join(", ")])));
    }
    return box;
  };

  if (token()) versions().then(() => signedIn(true), () => signedIn(false));
}
