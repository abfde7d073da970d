// The browser page's only script (the policy allows no inline script). A live run's page
// listens to the run's Server-Sent Events and redraws what changed; all text goes in through
// textContent, never as HTML, as metric and run names come from whoever posted them.
"use strict";

function followRun(live) {
  const chart = document.getElementById("chart");
  const source = new EventSource(live.dataset.events);
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  source.addEventListener("epoch", (event) => {
    const run = JSON.parse(event.data);
    set("epochs", String(run.epochs));
    set("metrics", run.metrics.join(", "));
    const verdict = run.diagnosis ? run.diagnosis.verdict : null;
    set("status", verdict ? verdict.status : "waiting");
    document.getElementById("status").className = "status " + (verdict ? verdict.status : "waiting");
    set("headline", verdict ? verdict.headline : "No epochs yet.");
    chart.src = live.dataset.chart + "?epochs=" + encodeURIComponent(run.epochs);
    set("connection", "Updated " + new Date().toLocaleTimeString() + ".");
  });
  source.addEventListener("error", () => set("connection", "Reconnecting…"));
}

document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  if (live) followRun(live);
});
