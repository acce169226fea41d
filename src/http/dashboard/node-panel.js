// The node as the resource broker sees it: CPU and RAM in use against the target, slots by type.
import { api } from "./api.js";
import { clear, h } from "./dom.js";
import { bytes, percent } from "./format.js";

function gauge(label, id, used, target, max, text) {
  return h("p", {}, h("label", { for: id }, `${label} `), h("meter", { id, min: 0, max, value: used, high: target, optimum: 0, title: text }), ` ${text}`);
}

export function renderNode(node) {
  const body = clear(document.getElementById("node-body"));
  const cpuTarget = node.target.cpu_percent;
  const ramTarget = (node.capacity.ram_bytes * node.target.ram_percent) / 100;
  const types = Object.entries(node.by_type).sort(([a], [b]) => a.localeCompare(b));
  body.append(
    h(
      "div",
      { class: "node-grid" },
      h(
        "div",
        {},
        h("p", { class: "muted" }, `${node.node_id} · ${node.capacity.cores} cores · ${bytes(node.capacity.ram_bytes)} RAM`),
        gauge(
          "CPU",
          "node-cpu",
          node.in_use.cpu_percent,
          cpuTarget,
          100,
          `${percent(node.in_use.cpu_percent)} in use of a ${percent(cpuTarget)} target (granted ${percent(node.granted.cpu_percent)}${node.measured ? `, measured ${percent(node.measured.cpu_percent)}` : ""})`,
        ),
        gauge(
          "RAM",
          "node-ram",
          node.in_use.ram_bytes,
          ramTarget,
          node.capacity.ram_bytes,
          `${bytes(node.in_use.ram_bytes)} in use of a ${bytes(ramTarget)} target (granted ${bytes(node.granted.ram_bytes)}${node.measured ? `, measured ${bytes(node.measured.ram_bytes)}` : ""})`,
        ),
        h("p", {}, `Tasks hosted here: ${node.running_here}`),
      ),
      types.length === 0
        ? h("p", { class: "muted" }, "No task holds or waits for a slot.")
        : h(
            "table",
            { id: "node-types" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Running"), h("th", { scope: "col" }, "Waiting for a slot"))),
            h(
              "tbody",
              {},
              types.map(([type, n]) => h("tr", { dataset: { taskType: type } }, h("td", {}, type), h("td", {}, String(n.running)), h("td", {}, String(n.waiting)))),
            ),
          ),
    ),
  );
}

export async function loadNode() {
  try {
    renderNode(await api("/node"));
  } catch (error) {
    clear(document.getElementById("node-body")).append(h("p", { class: "muted" }, error.status === 404 ? "This node runs no resource broker." : `Node: ${error.message}`));
  }
}
