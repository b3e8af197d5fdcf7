// Briefing pack downloads: POST /v1/delegations/briefing?format=csv|xlsx with the page's firms.
import { alertFor } from "./i18n.js";

export function initBriefing(box) {
  const errors = document.getElementById("briefing-error");
  box.querySelectorAll("[data-briefing-download]").forEach((button) => button.addEventListener("click", async () => {
    errors.replaceChildren();
    const body = { japanese_ids: box.dataset.ids.split(" "), top_k: Number(box.dataset.topK) };
    try {
      const response = await fetch(`${box.dataset.briefingEndpoint}?format=${button.dataset.briefingDownload}`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      if (!response.ok) throw await response.json();
      const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || "briefing";
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
    } catch (problem) {
      errors.replaceChildren(alertFor(problem?.error ? problem : { error: { code: "network" } }));
    }
  }));
}
