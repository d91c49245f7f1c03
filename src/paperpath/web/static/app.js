// paperpath: small progressive enhancements. Every page works without this file.
"use strict";

// Lazy fragments: <div data-fragment="/url"> fills itself (slow views such as related work
// don't hold up the page). A link inside stays as the no-JS fallback.
function loadFragments(root) {
  root.querySelectorAll("[data-fragment]").forEach(async (el) => {
    const url = el.getAttribute("data-fragment");
    el.removeAttribute("data-fragment");
    el.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(url, { headers: { "X-Fragment": "1" } });
      el.innerHTML = res.ok ? await res.text() : `<p class="error">Could not load (${res.status}).</p>`;
    } catch (err) {
      el.innerHTML = `<p class="error">Could not load: ${err}</p>`;
    }
    el.removeAttribute("aria-busy");
  });
}

// Background jobs: <div data-job="ID"> polls /api/jobs/ID and shows its progress; the job
// lives on the server, so a reload just picks it up again.
function watchJobs(root) {
  root.querySelectorAll("[data-job]").forEach((el) => {
    const id = el.getAttribute("data-job");
    const bar = el.querySelector("progress");
    const text = el.querySelector("[data-job-text]");
    const tick = async () => {
      let job;
      try {
        job = await (await fetch(`/api/jobs/${encodeURIComponent(id)}`)).json();
      } catch (err) { setTimeout(tick, 2000); return; }
      if (bar && job.total) { bar.max = job.total; bar.value = job.done; }
      if (text) text.textContent = job.message || job.state;
      el.dataset.state = job.state;
      if (job.state === "running" || job.state === "queued") setTimeout(tick, 700);
      // A page waiting for its job (the first plan of a week) shows the result when done.
      else if (job.state === "done" && el.hasAttribute("data-job-reload")) window.location.reload();
    };
    tick();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  loadFragments(document);
  watchJobs(document);
});
