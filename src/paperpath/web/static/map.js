// paperpath: the map of the field (plotly scattergl). The page works without this file:
// the search form and the list of areas are plain HTML.
"use strict";

(function () {
  const el = document.getElementById("fieldmap");
  watchMapJob();
  if (!el) return;
  const tip = document.createElement("div");
  tip.className = "map-tip";
  tip.hidden = true;
  document.body.appendChild(tip);

  let meta = null;      // points.json
  let xs = null, ys = null; // Float32Array coordinates in point order
  const chunks = new Map(); // chunk -> Promise<{ids, titles}>
  const known = new Map();  // point -> {id, title} (highlights, search results)
  let searchTrace = -1;

  // Coordinates come as uint16 x[n] then y[n] over the map's bounds.
  function decode(buf) {
    const q = new Uint16Array(buf), n = meta.n, s = meta.scale;
    const [x0, y0, x1, y1] = meta.bounds;
    xs = new Float32Array(n); ys = new Float32Array(n);
    const fx = (x1 - x0) / s, fy = (y1 - y0) / s;
    for (let i = 0; i < n; i++) { xs[i] = x0 + q[i] * fx; ys[i] = y0 + q[n + i] * fy; }
  }

  function pick(points) {
    const x = new Float32Array(points.length), y = new Float32Array(points.length);
    points.forEach((p, k) => { x[k] = xs[p]; y[k] = ys[p]; });
    return [x, y];
  }

  function chunk(k) {
    if (!chunks.has(k)) {
      const url = meta.titles.replace("{chunk}", k);
      chunks.set(k, fetch(url).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    return chunks.get(k);
  }

  async function info(p) {
    if (known.has(p)) return known.get(p);
    const c = await chunk(Math.floor(p / meta.chunk));
    if (!c) return null;
    const j = p - c.start;
    return { id: c.ids[j], title: c.titles[j] };
  }

  function areaOf(p) {
    let found = null;
    for (const c of meta.clusters) if (p >= c.start && p < c.start + c.count) found = c;
    return found ? found.label : "";
  }

  function pointOf(pt) {
    const t = pt.data.meta || {};
    if (t.role === "area") return t.start + pt.pointNumber;
    return pt.customdata;
  }

  function traces() {
    const n = meta.n;
    const size = Math.max(2.5, Math.min(8, 12 / Math.log10(Math.max(n, 10))));
    const out = meta.clusters.map((c) => ({
      type: "scattergl", mode: "markers", name: c.label, showlegend: false,
      x: xs.subarray(c.start, c.start + c.count), y: ys.subarray(c.start, c.start + c.count),
      hoverinfo: "none", meta: { role: "area", start: c.start },
      marker: { size: size, color: c.colour, opacity: 0.55 },
    }));
    for (const h of meta.highlights) {
      const pts = h.points.map((q) => q.i);
      h.points.forEach((q) => known.set(q.i, q));
      const [x, y] = pick(pts);
      out.push({
        type: "scattergl", mode: "markers", name: `${h.kind} (${pts.length})`, x, y,
        customdata: pts, hoverinfo: "none", meta: { role: "highlight" },
        marker: { size: size + 11, symbol: h.symbol, color: h.colour,
                  line: { color: "#ffffff", width: 1 } },
      });
    }
    searchTrace = out.length;
    out.push({
      type: "scattergl", mode: "markers", name: "search matches", x: [], y: [], customdata: [],
      hoverinfo: "none", meta: { role: "search" },
      marker: { size: size + 10, symbol: "circle-open", color: "#000000", line: { width: 2 } },
    });
    return out;
  }

  function home() {
    const [x0, y0, x1, y1] = meta.bounds, px = (x1 - x0) * 0.03, py = (y1 - y0) * 0.03;
    return { x: [x0 - px, x1 + px], y: [y0 - py, y1 + py] };
  }

  function layout() {
    return {
      template: "none", font: { family: "system-ui, sans-serif", size: 12 },
      hovermode: "closest", dragmode: "pan", plot_bgcolor: "#ffffff", paper_bgcolor: "#ffffff",
      margin: { l: 8, r: 8, t: 8, b: 8 },
      // fixed ranges: autorange would make room for every label and shrink the points
      xaxis: { visible: false, range: home().x }, yaxis: { visible: false, scaleanchor: "x", range: home().y },
      legend: { x: 0.01, y: 0.99, bgcolor: "rgba(255,255,255,0.85)" },
      annotations: labelled().map((c) => ({
        x: c.x, y: c.y, text: escapeHtml(c.short), showarrow: false,
        font: { size: 11, color: "#222222" }, bgcolor: "rgba(255,255,255,0.7)",
      })),
    };
  }

  // A narrow map has room for the names of its biggest areas only.
  function labelled() {
    const named = meta.clusters.filter((c) => c.short);
    const room = el.clientWidth >= 800 ? Infinity : Math.max(6, Math.round(el.clientWidth / 40));
    if (named.length <= room) return named;
    const keep = new Set(named.slice().sort((a, b) => b.count - a.count).slice(0, room));
    return named.filter((c) => keep.has(c));
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[ch]));
  }

  let hovered = -1;
  async function showTip(ev) {
    const pt = ev.points && ev.points[0];
    if (!pt) return;
    const p = pointOf(pt), at = ev.event;
    hovered = p;
    const d = await info(p);
    if (hovered !== p || !d) return;
    tip.innerHTML = `${escapeHtml(d.title)}<br><i>${escapeHtml(areaOf(p))}</i>`;
    tip.style.left = Math.min(at.clientX + 14, window.innerWidth - 380) + "px";
    tip.style.top = at.clientY + 14 + "px";
    tip.hidden = false;
  }

  async function open(ev) {
    const pt = ev.points && ev.points[0];
    if (!pt) return;
    const p = pointOf(pt), d = known.get(p);
    window.location.href = d ? "/paper/" + encodeURI(d.id) : "/map/go/" + p;
  }

  function zoomTo(points, pad) {
    if (!points.length) return;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const p of points) {
      x0 = Math.min(x0, xs[p]); x1 = Math.max(x1, xs[p]);
      y0 = Math.min(y0, ys[p]); y1 = Math.max(y1, ys[p]);
    }
    const [bx0, by0, bx1, by1] = meta.bounds;
    const m = Math.max(x1 - x0, y1 - y0, (bx1 - bx0) * pad) * 0.15 + (bx1 - bx0) * 0.01;
    Plotly.relayout(el, { "xaxis.range": [x0 - m, x1 + m], "yaxis.range": [y0 - m, y1 + m] });
  }

  function range(start, count) {
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = start + i;
    return out;
  }

  // The search: the server finds the papers (ids and title words); the map rings them.
  const form = document.getElementById("map-search");
  const input = document.getElementById("map-q");
  const count = document.getElementById("map-count");
  const list = document.getElementById("map-results");
  const note = document.getElementById("map-note");
  async function locate(q) {
    note.hidden = true;
    if (!q.trim()) { showMatches([]); count.textContent = ""; return; }
    let res;
    try {
      res = await fetch("/map/locate?q=" + encodeURIComponent(q));
    } catch (err) { count.textContent = "Search failed: " + err; return; }
    if (!res.ok) {
      let detail = res.statusText;
      try { detail = (await res.json()).detail || detail; } catch (err) { /* an HTML page */ }
      count.textContent = detail;
      return;
    }
    const data = await res.json();
    note.textContent = data.note || "";
    note.hidden = !data.note;
    data.points.forEach((r) => known.set(r.i, r));
    showMatches(data.points);
    count.textContent = `${data.total} match${data.total === 1 ? "" : "es"} on the map for “${q}”.`;
  }

  function showMatches(found) {
    const pts = found.map((r) => r.i);
    const [x, y] = pick(pts);
    Plotly.restyle(el, { x: [x], y: [y], customdata: [pts] }, [searchTrace]);
    list.innerHTML = "";
    for (const r of found) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/paper/" + encodeURI(r.id);
      a.textContent = r.title;
      const b = document.createElement("button");
      b.type = "button"; b.className = "secondary small"; b.textContent = "Show on map";
      b.setAttribute("aria-label", "Show on map: " + r.title);
      b.addEventListener("click", () => { zoomTo([r.i], 0.04); el.scrollIntoView({ block: "nearest" }); });
      const area = document.createElement("span");
      area.className = "meta"; area.textContent = " · " + r.area + " ";
      li.append(a, area, b);
      list.appendChild(li);
    }
    if (pts.length) zoomTo(pts, pts.length === 1 ? 0.04 : 0);
  }

  async function start() {
    if (typeof Plotly === "undefined") { el.dataset.state = "failed"; el.textContent = "The map's drawing library did not load; the areas are listed below."; return; }
    try {
      const r = await fetch(el.dataset.points);
      if (!r.ok) throw new Error(r.status);
      meta = await r.json();
      const b = await fetch(meta.coords);
      if (!b.ok) throw new Error(b.status);
      decode(await b.arrayBuffer());
    } catch (err) {
      el.dataset.state = "failed";
      el.textContent = "Could not load the map (" + err.message + "); the areas are listed below.";
      return;
    }
    el.dataset.state = "ready";
    await Plotly.newPlot(el, traces(), layout(),
                         { scrollZoom: true, displaylogo: false, responsive: true });
    // Two frames later the WebGL points are on screen: bench/web.py times the map up to here.
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    el.dataset.state = "drawn";
    window.paperpathMap = { element: el, points: meta.n, drawn: true };
    el.on("plotly_hover", showTip);
    el.on("plotly_unhover", () => { hovered = -1; tip.hidden = true; });
    el.on("plotly_click", open);
    el.addEventListener("mouseleave", () => { tip.hidden = true; });
    const reset = document.getElementById("map-reset");
    reset.hidden = false;
    reset.addEventListener("click", () => {
      const h = home();
      Plotly.relayout(el, { "xaxis.range": h.x, "yaxis.range": h.y });
    });
    document.querySelectorAll("[data-zoom-area]").forEach((btn) => {
      const [s, c] = btn.dataset.zoomArea.split(":").map(Number);
      btn.hidden = false;
      btn.addEventListener("click", () => { zoomTo(range(s, c), 0); el.scrollIntoView({ block: "nearest" }); });
    });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = input.value;
      history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : "/map");
      locate(q);
    });
    if (input.value.trim()) locate(input.value);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  // A map job (app.js polls it) that finishes reloads the page to show the new map.
  function watchMapJob() {
    const job = document.getElementById("map-job");
    // only a job seen running: one already over when the page was made must not loop
    if (!job || !["queued", "running"].includes(job.dataset.state)) return;
    new MutationObserver(() => {
      if (job.dataset.state === "done") window.location.replace("/map");
    }).observe(job, { attributes: true, attributeFilter: ["data-state"] });
  }
})();
