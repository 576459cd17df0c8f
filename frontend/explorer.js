// The graph explorer: a focus's graph, expanded node by node, filtered by
// type, year and text, laid out by ForceAtlas2 in a web worker, exported as
// PNG or JSON; the URL keeps the view (focus, expanded nodes, filters,
// search) so that a link restores it. The node list beside the canvas is the
// keyboard's way in: every node is a link, with buttons to show and expand it.
import FA2Layout from "graphology-layout-forceatlas2/worker";
import forceAtlas2 from "graphology-layout-forceatlas2";
import { NAMES, TYPES, addSlice, fetchSlice, legend, newGraph, open, render } from "./graph.js";

const LAYOUT_MS = 2500;
const EXPAND_LIMIT = 40;

const root = document.getElementById("explorer");
const api = root.dataset.api;
const params = new URLSearchParams(window.location.search);
const view = {
  focus: root.dataset.focus,
  limit: root.dataset.limit,
  depth: params.get("depth") === "2" ? "2" : "1",
  expanded: (params.get("expand") || "").split(",").filter((x) => /^[AWTI]\d{1,18}$/.test(x)),
  types: new Set(
    (params.get("types") || TYPES.join(",")).split(",").filter((t) => TYPES.includes(t)),
  ),
  from: toYear(params.get("from")),
  to: toYear(params.get("to")),
  q: (params.get("q") || "").slice(0, 100),
};
const graph = newGraph();
const canvas = root.querySelector(".graph-canvas");
const info = root.querySelector(".graph-info");
const list = document.getElementById("node-list");
const shown = root.querySelector(".visible-count");
const status = root.querySelector(".graph-status");
let layout = null;
let layoutTimer = null;
let drawn = null;

function toYear(text) {
  return text && /^\d{4}$/.test(text) ? Number(text) : null;
}

function hidden(node, attrs) {
  if (node === view.focusId) return false;
  if (!view.types.has(attrs.kind)) return true;
  if (attrs.kind === "work" && attrs.year) {
    if (view.from && attrs.year < view.from) return true;
    if (view.to && attrs.year > view.to) return true;
  }
  return false;
}

function visibleNodes() {
  return graph.filterNodes((node, attrs) => !hidden(node, attrs));
}

function matches() {
  const words = view.q.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return null;
  return new Set(
    graph.filterNodes((node, attrs) => words.every((w) => attrs.label.toLowerCase().includes(w))),
  );
}

function saveView() {
  const out = new URLSearchParams({ focus: view.focus });
  if (view.depth === "2") out.set("depth", "2");
  if (view.expanded.length) out.set("expand", view.expanded.join(","));
  if (view.types.size !== TYPES.length) out.set("types", [...view.types].join(","));
  if (view.from) out.set("from", String(view.from));
  if (view.to) out.set("to", String(view.to));
  if (view.q) out.set("q", view.q);
  history.replaceState(null, "", `${window.location.pathname}?${out}`);
}

function runLayout() {
  if (!layout) {
    layout = new FA2Layout(graph, {
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 400 },
    });
  }
  layout.start();
  clearTimeout(layoutTimer);
  root.dataset.layout = "running";
  layoutTimer = setTimeout(() => {
    layout.stop();
    root.dataset.layout = "stopped";
  }, LAYOUT_MS);
}

function refresh() {
  const visible = visibleNodes();
  drawn.state.matches = matches();
  drawn.renderer.refresh({ skipIndexation: true });
  root.dataset.visible = String(visible.length);
  root.dataset.nodes = String(graph.order);
  shown.textContent = `${visible.length} of ${graph.order} nodes shown`;
  legend(graph, root.querySelector(".graph-legend"), (n, a) => !hidden(n, a));
  fillList(visible);
  saveView();
}

function fillList(visible) {
  const found = drawn.state.matches;
  const rows = visible
    .filter((n) => !found || found.has(n))
    .map((n) => [n, graph.getNodeAttributes(n)])
    .sort((a, b) => TYPES.indexOf(a[1].kind) - TYPES.indexOf(b[1].kind) || b[1].weight - a[1].weight);
  list.replaceChildren();
  for (const [node, attrs] of rows) {
    const item = document.createElement("li");
    item.dataset.node = node;
    item.className = `node-${attrs.kind}`;
    const swatch = document.createElement("span");
    swatch.className = `swatch swatch-${attrs.kind}`;
    const link = document.createElement("a");
    link.textContent = attrs.label;
    link.dir = "auto";
    const target = attrs.url ? new URL(attrs.url, window.location.href) : null;
    if (target && (target.protocol === "http:" || target.protocol === "https:")) link.href = target.href;
    const show = button("Show", () => select(node));
    show.className = "show";
    const grow = button(view.expanded.includes(node) ? "Expanded" : "Expand", () => expand(node));
    grow.className = "expand";
    grow.disabled = view.expanded.includes(node);
    item.append(swatch, " ", link, " ", show, " ", grow);
    list.append(item);
  }
}

function button(text, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.addEventListener("click", action);
  return b;
}

function select(node) {
  const display = drawn.renderer.getNodeDisplayData(node);
  if (display) {
    drawn.renderer.getCamera().animate({ x: display.x, y: display.y, ratio: 0.4 }, { duration: 400 });
  }
  const attrs = graph.getNodeAttributes(node);
  info.replaceChildren();
  const title = document.createElement("b");
  title.textContent = attrs.label;
  const kind = document.createElement("span");
  kind.className = "muted";
  kind.textContent = ` · ${NAMES[attrs.kind]}${attrs.year ? `, ${attrs.year}` : ""} · ${graph.degree(node)} links`;
  const actions = document.createElement("p");
  actions.append(button("Open its page", () => open(attrs.url)), " ");
  const grow = button("Expand its neighbours", () => expand(node));
  grow.disabled = view.expanded.includes(node);
  actions.append(grow);
  info.append(title, kind, actions);
  info.hidden = false;
  root.dataset.selected = node;
}

const FOCUS_TYPE = { A: "author", W: "work", T: "topic", I: "institution" };

async function expand(node, replay = false) {
  if (!replay && view.expanded.includes(node)) return;
  root.dataset.state = "loading";
  try {
    const data = await fetchSlice(api, {
      focus: `${FOCUS_TYPE[node[0]]}:${node}`,
      limit: String(EXPAND_LIMIT),
    });
    addSlice(graph, data, node);
    if (!view.expanded.includes(node)) view.expanded.push(node);
    runLayout();
    refresh();
    root.dataset.state = "ready";
  } catch (error) {
    root.dataset.state = "error";
    status.textContent = `Could not expand: ${error.message}`;
    status.hidden = false;
  }
}

function download(name, blob) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function exportPng() {
  const { renderer } = drawn;
  renderer.refresh();
  const { width, height } = renderer.getDimensions();
  const ratio = window.devicePixelRatio || 1;
  const out = document.createElement("canvas");
  out.width = width * ratio;
  out.height = height * ratio;
  const context = out.getContext("2d");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, out.width, out.height);
  for (const layer of Object.values(renderer.getCanvases())) {
    context.drawImage(layer, 0, 0, out.width, out.height);
  }
  out.toBlob((blob) => blob && download("bzpeer-graph.png", blob), "image/png");
}

function exportJson() {
  const nodes = visibleNodes().map((id) => {
    const a = graph.getNodeAttributes(id);
    return { id, type: a.kind, label: a.label, url: a.url, year: a.year, x: a.x, y: a.y };
  });
  const keep = new Set(nodes.map((n) => n.id));
  const edges = graph
    .filterEdges((e, a, s, t) => keep.has(s) && keep.has(t))
    .map((e) => ({ source: graph.source(e), target: graph.target(e), kind: graph.getEdgeAttribute(e, "kind") }));
  const body = JSON.stringify({ focus: view.focus, view: window.location.href, nodes, edges }, null, 2);
  download("bzpeer-graph.json", new Blob([body], { type: "application/json" }));
}

function wireControls() {
  for (const box of root.querySelectorAll("input[name=type]")) {
    box.checked = view.types.has(box.value);
    box.addEventListener("change", () => {
      if (box.checked) view.types.add(box.value);
      else view.types.delete(box.value);
      refresh();
    });
  }
  const from = root.querySelector("input[name=from]");
  const to = root.querySelector("input[name=to]");
  from.value = view.from || "";
  to.value = view.to || "";
  const years = () => {
    view.from = toYear(from.value);
    view.to = toYear(to.value);
    refresh();
  };
  from.addEventListener("change", years);
  to.addEventListener("change", years);
  const search = root.querySelector("input[name=q]");
  search.value = view.q;
  search.addEventListener("input", () => {
    view.q = search.value.slice(0, 100);
    refresh();
  });
  search.addEventListener("keydown", (event) => {
    const found = drawn.state.matches;
    if (event.key === "Enter" && found && found.size) {
      event.preventDefault();
      select([...found][0]);
    }
  });
  root.querySelector(".export-png").addEventListener("click", exportPng);
  root.querySelector(".export-json").addEventListener("click", exportJson);
  root.querySelector(".relayout").addEventListener("click", runLayout);
}

async function start() {
  try {
    const data = await fetchSlice(api, { focus: view.focus, limit: view.limit, depth: view.depth });
    view.focusId = data.focus;
    addSlice(graph, data);
    forceAtlas2.assign(graph, { iterations: 100, settings: forceAtlas2.inferSettings(graph) });
    drawn = render(graph, canvas, { info, hidden, onClick: select });
    root.graphView = { graph, renderer: drawn.renderer }; // for scripts driving the page
    status.hidden = true;
    root.querySelector(".server-list")?.remove();
    wireControls();
    for (const node of [...view.expanded]) {
      if (graph.hasNode(node)) await expand(node, true);
    }
    refresh();
    runLayout();
    root.dataset.state = "ready";
  } catch (error) {
    root.dataset.state = "error";
    status.textContent = `The graph could not be built: ${error.message}`;
  }
}

start();
