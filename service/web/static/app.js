// Entry point: wires the small behaviours onto the server-rendered pages (no build step).
import { initSuggest } from "./suggest.js";
import { initLiveResults } from "./live.js";
import { initFeedback } from "./feedback.js";
import { initPlanner } from "./planner.js";
import { initAdmin } from "./admin.js";
import { initBriefing } from "./briefing.js";

document.querySelectorAll("input[data-suggest]").forEach(initSuggest);
document.querySelectorAll("form[data-live-results]").forEach(initLiveResults);
if (document.getElementById("partners")) initFeedback();
const planner = document.getElementById("planner");
if (planner) initPlanner(planner);
const admin = document.getElementById("admin");
if (admin) initAdmin(admin);
document.querySelectorAll("[data-briefing-endpoint]").forEach(initBriefing);

document.querySelectorAll("button[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
