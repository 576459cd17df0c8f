// The research graph's shared parts: loading a slice from the API into a
// graphology graph, the look of nodes by type, the sigma renderer with hover
// highlighting and click-to-open, and the legend.
import Graph from "graphology";
import Sigma from "sigma";

export const TYPES = ["author", "work", "topic", "institution"];
export const NAMES = {
  author: "Researchers",
  work: "Works",
  topic: "Topics",
  institution: "Institutions",
};
export const COLORS = {
  author: "#2563eb",
  work: "#d97706",
  topic: "#059669",
  institution: "#7c3aed",
};
const DIM = "#e5e7eb";
const LARGE = 500;

export function newGraph() {
  return new Graph({ multi: true, type: "mixed" });
}

function size(weight, isFocus) {
  if (isFocus) return 16;
  return Math.min(13, 3 + 2.2 * Math.log2(1 + Math.max(0, weight)));
}

// Adds a slice's nodes and edges (those not in yet); returns the new node ids.
// New nodes start near ``near`` (the node they were expanded from), or on a
// circle by type.
export function addSlice(graph, data, near) {
  const added = [];
  const origin = near && graph.hasNode(near) ? graph.getNodeAttributes(near) : null;
  data.nodes.forEach((n, i) => {
    if (graph.hasNode(n.id)) return;
    const angle = (2 * Math.PI * i) / Math.max(1, data.nodes.length);
    const ring = origin ? 1 : 1 + TYPES.indexOf(n.type);
    graph.addNode(n.id, {
      label: n.label,
      kind: n.type,
      weight: n.weight,
      url: n.url,
      year: n.year,
      x: (origin ? origin.x : 0) + ring * Math.cos(angle) + 0.01 * i,
      y: (origin ? origin.y : 0) + ring * Math.sin(angle),
      size: size(n.weight, n.id === data.focus && !origin),
      color: COLORS[n.type],
    });
    added.push(n.id);
  });
  for (const e of data.edges) {
    const key = `${e.source}|${e.target}|${e.kind}`;
    if (graph.hasEdge(key) || !graph.hasNode(e.source) || !graph.hasNode(e.target)) continue;
    graph.addEdgeWithKey(key, e.source, e.target, {
      kind: e.kind,
      size: e.kind === "co-authored" ? Math.min(4, 0.5 + e.strength) : 0.6,
      color: "#cbd5e1",
    });
  }
  return added;
}

export async function fetchSlice(api, params) {
  const url = `${api}?${new URLSearchParams(params)}`;
  const answer = await fetch(url, { headers: { Accept: "application/json" } });
  if (!answer.ok) {
    let message = `${answer.status}`;
    try {
      message = (await answer.json()).message || message;
    } catch (_) {
      // not JSON: keep the status
    }
    throw new Error(message);
  }
  return answer.json();
}

// Opens a node's page: same-site paths and http(s) links only.
export function open(url) {
  if (!url) return;
  const target = new URL(url, window.location.href);
  if (target.protocol === "http:" || target.protocol === "https:") {
    window.location.assign(target.href);
  }
}

// The renderer: hover highlights a node and its neighbours and lists them in
// ``info``; a click opens the node's page (unless ``onClick`` says otherwise).
// ``hidden(node)`` leaves nodes out (filters).
export function render(graph, container, { info, onClick, hidden } = {}) {
  const state = { hovered: null, neighbours: new Set(), matches: null };
  const renderer = new Sigma(graph, container, {
    renderEdgeLabels: false,
    labelDensity: 0.7,
    labelRenderedSizeThreshold: 7,
    zIndex: true,
    allowInvalidContainer: true,
    // large graphs: edges and labels wait while the camera moves
    hideEdgesOnMove: graph.order > LARGE,
    hideLabelsOnMove: graph.order > LARGE,
  });
  renderer.setSetting("nodeReducer", (node, data) => {
    const out = { ...data };
    if (hidden && hidden(node, data)) {
      out.hidden = true;
      return out;
    }
    const lit = state.hovered ? node === state.hovered || state.neighbours.has(node) : true;
    const matched = state.matches ? state.matches.has(node) : true;
    if (!lit || !matched) {
      out.color = DIM;
      out.label = "";
      out.zIndex = 0;
    } else {
      out.zIndex = 1;
    }
    if (node === state.hovered || (state.matches && state.matches.has(node))) {
      out.highlighted = true;
    }
    return out;
  });
  renderer.setSetting("edgeReducer", (edge, data) => {
    const out = { ...data };
    const [s, t] = graph.extremities(edge);
    if (hidden && (hidden(s, graph.getNodeAttributes(s)) || hidden(t, graph.getNodeAttributes(t)))) {
      out.hidden = true;
    } else if (state.hovered && s !== state.hovered && t !== state.hovered) {
      out.hidden = true;
    } else if (state.hovered) {
      out.color = "#64748b";
    }
    return out;
  });
  renderer.on("enterNode", ({ node }) => {
    state.hovered = node;
    state.neighbours = new Set(graph.neighbors(node));
    container.dataset.hovered = node;
    if (info) showNeighbours(graph, node, info);
    renderer.refresh({ skipIndexation: true });
  });
  renderer.on("leaveNode", () => {
    state.hovered = null;
    state.neighbours = new Set();
    delete container.dataset.hovered;
    if (info) info.hidden = true;
    renderer.refresh({ skipIndexation: true });
  });
  renderer.on("clickNode", ({ node }) => {
    if (onClick) onClick(node);
    else open(graph.getNodeAttribute(node, "url"));
  });
  return { renderer, state };
}

function showNeighbours(graph, node, info) {
  const attrs = graph.getNodeAttributes(node);
  const names = graph
    .neighbors(node)
    .map((n) => graph.getNodeAttribute(n, "label"))
    .sort((a, b) => a.localeCompare(b));
  info.replaceChildren();
  const title = document.createElement("b");
  title.textContent = attrs.label;
  const kind = document.createElement("span");
  kind.className = "muted";
  kind.textContent = ` · ${NAMES[attrs.kind].replace(/s$/, "").toLowerCase()}${attrs.year ? `, ${attrs.year}` : ""}`;
  const list = document.createElement("p");
  const shown = names.slice(0, 8).join("; ");
  list.textContent = names.length
    ? `${names.length} neighbour${names.length > 1 ? "s" : ""}: ${shown}${names.length > 8 ? "; …" : ""}`
    : "no neighbours";
  info.append(title, kind, list);
  info.hidden = false;
}

// The legend: a swatch and a count per type present.
export function legend(graph, element, visible) {
  const counts = Object.fromEntries(TYPES.map((t) => [t, 0]));
  graph.forEachNode((node, attrs) => {
    if (!visible || visible(node, attrs)) counts[attrs.kind] += 1;
  });
  element.replaceChildren();
  for (const t of TYPES) {
    if (!counts[t]) continue;
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `swatch swatch-${t}`;
    const text = document.createElement("span");
    text.textContent = `${NAMES[t]} (${counts[t]})`;
    item.append(swatch, text);
    element.append(item);
  }
}
