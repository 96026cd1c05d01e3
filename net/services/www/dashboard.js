/* barenet's dashboard: polls /api/stats.json once a second, turns the
 * running counters of successive samples into per-second rates and draws
 * them with uPlot (/uplot.min.js, embedded in the kernel image).
 *
 * What the page has seen is kept in window.barenet and mirrored in data-
 * attributes (body: data-samples, data-errors; each chart: data-points,
 * data-last, data-max, data-xmax) for tests and curious readers. */
"use strict";

const POLL_MS = 1000;
const KEEP = 300;                       /* points per chart: 5 minutes */
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

const state = { samples: 0, errors: 0, charts: {}, lastError: "" };
window.barenet = state;

let prev = null;                        /* the previous sample */
let charts = null;                      /* built from the first sample */

/* a counter's increase; the kernel's u32 counters wrap */
function delta(a, b) {
  let d = b - a;
  if (d < 0)
    d += 4294967296;
  return d;
}

/* --- what each chart shows ------------------------------------------------ */

function chartSpecs(s) {
  const cpus = Object.keys(s.cpu);
  const devs = Object.keys(s.dev);
  const perCpu = (key, label) => cpus.map(c => ({
    label: label + " cpu" + c, rate: x => x.cpu[c] && x.cpu[c][key] }));
  const perDev = (key, label) => devs.filter(d => key in s.dev[d]).map(d => ({
    label: label + " " + d, rate: x => x.dev[d] && x.dev[d][key] }));
  const fill = (key, size, label) => devs.filter(d => key in s.dev[d] && size in s.dev[d]).map(d => ({
    label: label + " " + d,
    gauge: x => x.dev[d] && x.dev[d][size] ? 100 * x.dev[d][key] / x.dev[d][size] : null }));
  return [
    { id: "irqs", title: "Interrupts, NET_RX softirqs and NAPI polls per second",
      what: "Under load NAPI keeps polling with the interrupt masked: interrupts fall while frames keep coming.",
      unit: "/s", series: [...perCpu("nic_irqs", "NIC interrupts"),
                           ...perCpu("net_rx_softirqs", "NET_RX softirqs"),
                           ...perDev("napi_polls", "NAPI polls")] },
    { id: "frames", title: "Frames per second",
      what: "Received and sent by each NIC (its rtnl_link_stats64), and delivered by netif_receive_skb per CPU.",
      unit: "/s", series: [...perDev("rx_packets", "rx"), ...perDev("tx_packets", "tx"),
                           ...perCpu("processed", "delivered")] },
    { id: "drops", title: "time_squeeze and drops per second",
      what: "NET_RX runs that ran out of budget or time with work left; frames dropped on the way.",
      unit: "/s", series: [...perCpu("time_squeeze", "time_squeeze"),
                           ...perCpu("backlog_drops", "backlog full"),
                           ...perDev("rx_missed", "rx missed (ring full)"),
                           ...perDev("rx_dropped", "rx dropped"),
                           ...perDev("tx_dropped", "tx dropped"),
                           { label: "skb drops (all reasons)", rate: x => x.skb_drops }] },
    { id: "fill", title: "Ring and pool fill (%)",
      what: "RX descriptors written back and waiting for the poll, TX descriptors in flight, RX pool buffers lent to the stack.",
      unit: "%", series: [...fill("rx_ring_ready", "rx_ring_size", "rx ring ready"),
                          ...fill("tx_ring_used", "tx_ring_size", "tx ring in flight"),
                          ...fill("rx_pool_lent", "rx_pool_size", "rx pool lent")] },
    { id: "latency", title: "Journey latency, first to last stage (\u00b5s)",
      what: "p50 and p99 over the newest sampled frames (trace).",
      unit: "\u00b5s", series: ["p50_ns", "p99_ns"].map(k => ({
        label: "total " + k.replace("_ns", ""),
        gauge: x => {
          const t = (x.journey.stages || []).find(st => st.name === "total");
          return t && t.count ? t[k] / 1000 : null;
        } })) },
  ];
}

/* --- uPlot ------------------------------------------------------------- */

function chartWidth(el) {
  return Math.max(300, el.clientWidth);
}

function fmt(v) {
  if (v == null)
    return "-";
  if (Math.abs(v) >= 1e6)
    return (v / 1e6).toFixed(2) + "M";
  if (Math.abs(v) >= 1e4)
    return (v / 1e3).toFixed(1) + "k";
  if (Math.abs(v) >= 100 || v === Math.round(v))
    return Math.round(v).toString();
  return Number(v.toFixed(Math.abs(v) < 10 ? 2 : 1)).toString();
}

/* the legend shows the newest values unless the pointer is on the chart */
function showLatest(u) {
  if (u.cursor.left == null || u.cursor.left < 0)
    u.setLegend({ idx: u.data[0].length - 1 });
}

function buildCharts(s) {
  const root = document.getElementById("charts");
  const built = [];

  for (const spec of chartSpecs(s)) {
    const card = document.createElement("section");
    card.className = "card";
    card.id = "card-" + spec.id;
    card.innerHTML = "<h2></h2><p class=\"what\"></p><div class=\"chart\"></div>";
    card.querySelector("h2").textContent = spec.title;
    card.querySelector(".what").textContent = spec.what;
    root.insertBefore(card, document.getElementById("journey"));
    const el = card.querySelector(".chart");
    el.id = "chart-" + spec.id;
    const opts = {
      width: chartWidth(el),
      height: 220,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, spec.unit === "%" ? 10 : 1) * 1.05] } },
      /* ticks a whole number of seconds apart, at least 70 px */
      axes: [{ incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300], space: 70 },
             { label: spec.unit, size: 60, values: (u, vals) => vals.map(fmt) }],
      legend: { live: true },
      series: [{}].concat(spec.series.map((ser, i) => ({
        label: ser.label, stroke: COLORS[i % COLORS.length], width: 1.6,
        /* dashed: what often lies on another line (tx on rx, polls on softirqs) */
        dash: /^(tx|NAPI|delivered)/.test(ser.label) ? [7, 4] : undefined,
        value: (u, v) => fmt(v), spanGaps: false }))),
    };
    const data = [[]].concat(spec.series.map(() => []));
    const plot = new uPlot(opts, data, el);
    built.push({ spec, el, plot, data });
  }
  window.addEventListener("resize", () => {
    for (const c of built)
      c.plot.setSize({ width: chartWidth(c.el), height: 220 });
    if (journeyPlot)
      journeyPlot.setSize({ width: chartWidth(journeyEl()), height: 240 });
  });
  return built;
}

function updateCharts(cur, dt) {
  const t = Date.now() / 1000;

  for (const c of charts) {
    const last = {}, max = {};
    c.data[0].push(t);
    c.spec.series.forEach((ser, i) => {
      let v = null;
      if (ser.rate) {
        const a = ser.rate(prev), b = ser.rate(cur);
        if (a != null && b != null && dt > 0)
          v = delta(a, b) / dt;
      } else {
        v = ser.gauge(cur);
      }
      c.data[i + 1].push(v);
      last[ser.label] = v;
      max[ser.label] = Math.max(...c.data[i + 1].filter(x => x != null), 0);
    });
    if (c.data[0].length > KEEP)
      for (const col of c.data)
        col.shift();
    c.plot.setData(c.data);
    showLatest(c.plot);
    const points = c.data[0].length;
    const xmax = c.plot.scales.x.max;
    state.charts[c.spec.id] = { points, last, max, xmax };
    c.el.dataset.points = points;
    c.el.dataset.last = JSON.stringify(last);
    c.el.dataset.max = JSON.stringify(max);
    c.el.dataset.xmax = xmax;
  }
}

/* --- the journey's stages: bars of the newest snapshot ------------------- */

let journeyPlot = null;
let journeyNames = "";                  /* the stages the bars were built for */
const journeyEl = () => document.getElementById("journey-bars");

function updateJourney(j) {
  const stages = (j.stages || []).filter(st => st.count && st.name !== "total");
  const note = document.getElementById("trace-state");

  const latency = document.querySelector("#card-latency .what");
  if (latency)
    latency.textContent = j.sample ? "p50 and p99 over the newest sampled frames (trace)."
      : "Tracing is off: type trace sample 1 in the shell (or boot with trace.sample=1).";
  note.textContent = j.sample
    ? "Sampling 1 frame in " + j.sample + "; " + j.records + " records kept."
    : "Tracing is off: type trace sample 1 in the shell (or boot with trace.sample=1) to time each stage.";
  const table = document.getElementById("journey-table");
  let html = "<tr><th>stage</th><th>frames</th><th>p50 \u00b5s</th><th>p90 \u00b5s</th>" +
             "<th>p99 \u00b5s</th><th>max \u00b5s</th></tr>";
  for (const st of (j.stages || []).filter(st => st.count))
    html += "<tr><td>" + st.name + "</td><td>" + st.count + "</td>" +
            ["p50_ns", "p90_ns", "p99_ns", "max_ns"].map(k => "<td>" + (st[k] / 1000).toFixed(1) + "</td>").join("") +
            "</tr>";
  table.innerHTML = stages.length ? html : "";
  if (!stages.length)
    return;
  const names = stages.map(st => st.name);
  const data = [names.map((_, i) => i), stages.map(st => st.p50_ns / 1000), stages.map(st => st.p99_ns / 1000)];
  if (journeyPlot && journeyNames !== names.join()) {
    journeyPlot.destroy();
    journeyPlot = null;
  }
  journeyNames = names.join();
  if (!journeyPlot) {
    const bars = uPlot.paths.bars;
    journeyPlot = new uPlot({
      width: chartWidth(journeyEl()), height: 240,
      scales: { x: { time: false, range: (u, min, max) => [min - 0.6, max + 0.6] }, y: { distr: 3 } },
      axes: [{ splits: () => names.map((_, i) => i), rotate: -30, size: 62, gap: 4,
               values: (u, vals) => vals.map(v => names[v] || "") },
             { label: "\u00b5s (log)", size: 60, values: (u, vals) => vals.map(fmt) }],
      series: [{ label: "stage", value: (u, v) => names[v] || "" },
               { label: "p50", fill: "#1f77b4cc", stroke: "#1f77b4", paths: bars({ size: [0.35, 60], align: -1 }),
                 points: { show: false }, value: (u, v) => fmt(v) + " \u00b5s" },
               { label: "p99", fill: "#ff7f0ecc", stroke: "#ff7f0e", paths: bars({ size: [0.35, 60], align: 1 }),
                 points: { show: false }, value: (u, v) => fmt(v) + " \u00b5s" }],
    }, data, journeyEl());
  } else {
    journeyPlot.setData(data);
  }
  showLatest(journeyPlot);
  journeyEl().dataset.stages = names.length;
}

/* --- the links to every view -------------------------------------------- */

async function loadViews() {
  const el = document.getElementById("view-links");
  try {
    const r = await fetch("/api/views", { cache: "no-store" });
    if (!r.ok)
      throw new Error("HTTP " + r.status);
    const paths = (await r.text()).split("\n").filter(p => p);
    const groups = new Map();
    for (const p of paths) {
      const dir = p.slice(0, p.lastIndexOf("/")) || "/";
      if (!groups.has(dir))
        groups.set(dir, []);
      groups.get(dir).push(p);
    }
    el.textContent = "";
    for (const [dir, files] of groups) {
      const d = document.createElement("details");
      /* the fault injection knobs are many and alike: closed */
      d.open = files.length <= 8 && !dir.startsWith("/sys/kernel/debug");
      const s = document.createElement("summary");
      s.textContent = dir + "/ (" + files.length + ")";
      d.appendChild(s);
      const ul = document.createElement("ul");
      for (const f of files) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = f;
        a.textContent = f.slice(dir.length + 1);
        li.appendChild(a);
        ul.appendChild(li);
      }
      d.appendChild(ul);
      el.appendChild(d);
    }
    document.body.dataset.views = paths.length;
  } catch (e) {
    el.innerHTML = "<span class=\"note\">could not load /api/views: " + e.message + "</span>";
  }
}

/* --- polling ------------------------------------------------------------- */

function setState(text, bad) {
  const el = document.getElementById("state");
  el.textContent = text;
  el.className = bad ? "meta bad" : "meta";
}

async function poll() {
  try {
    const r = await fetch("/api/stats.json", { cache: "no-store" });
    if (!r.ok)
      throw new Error("HTTP " + r.status);
    const cur = await r.json();
    state.samples++;
    document.body.dataset.samples = state.samples;
    document.getElementById("uptime").textContent = (cur.uptime_ns / 1e9).toFixed(0) + " s";
    document.getElementById("version").textContent = cur.version ? "v" + cur.version : "";
    if (!charts)
      charts = buildCharts(cur);
    if (prev && cur.uptime_ns > prev.uptime_ns)
      updateCharts(cur, (cur.uptime_ns - prev.uptime_ns) / 1e9);
    updateJourney(cur.journey);
    prev = cur;
    setState("live: " + state.samples + " samples, " + Object.keys(cur.cpu).length + " CPU, " +
             Object.keys(cur.dev).join(", "), false);
  } catch (e) {
    state.errors++;
    state.lastError = String(e.message || e);
    document.body.dataset.errors = state.errors;
    setState("no sample: " + state.lastError + " (retrying)", true);
  }
  setTimeout(poll, POLL_MS);
}

loadViews();
poll();
