// The research graph's slice on a profile: loaded after the page, laid out
// with ForceAtlas2 (a few hundred iterations, synchronous: about 60 nodes),
// drawn by sigma. The container says what it drew: data-state (loading,
// ready, empty, error) and data-nodes (the number of nodes drawn).
import forceAtlas2 from "graphology-layout-forceatlas2";
import { addSlice, fetchSlice, legend, newGraph, render } from "./graph.js";

async function start(container) {
  const status = container.querySelector(".graph-status");
  try {
    const data = await fetchSlice(container.dataset.api, { focus: container.dataset.focus });
    const graph = newGraph();
    addSlice(graph, data);
    if (graph.order <= 1) {
      container.dataset.state = "empty";
      if (status) status.textContent = "No co-authors, works or topics to draw yet.";
      return;
    }
    forceAtlas2.assign(graph, {
      iterations: 300,
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: false },
    });
    if (status) status.remove();
    const canvas = container.querySelector(".graph-canvas");
    const info = container.querySelector(".graph-info");
    const drawn = render(graph, canvas, { info });
    // for scripts driving the page (the browser tests): what was drawn
    container.graphView = { graph, renderer: drawn.renderer };
    const key = container.querySelector(".graph-legend");
    if (key) legend(graph, key);
    container.dataset.nodes = String(graph.order);
    container.dataset.edges = String(graph.size);
    container.dataset.state = "ready";
  } catch (error) {
    container.dataset.state = "error";
    if (status) status.textContent = `The graph could not be built: ${error.message}`;
  }
}

for (const container of document.querySelectorAll("[data-graph-slice]")) {
  start(container);
}
