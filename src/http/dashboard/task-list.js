// The task list: filters, pages by cursor, rows updated in place from the live stream.
import { api } from "./api.js";
import { clear, h, say } from "./dom.js";
import { STATE_LABELS, relative } from "./format.js";

const PAGE_SIZE = 25;

const rows = new Map();
/** Cursors of the pages before the current one; the current page starts after the last. */
let cursors = [];
let nextCursor = null;
let reloadTimer = null;

export const shortId = (id) => (id ? id.slice(0, 8) : "–");

/** A <progress> that says what it shows; its colour follows the state (a failed task's bar is red). */
export function progressBar(view) {
  const value = view.state === "completed" ? 100 : (view.progress?.percent ?? 0);
  return h("progress", { max: 100, value, "aria-label": `${view.task_id} progress ${value} percent`, dataset: { state: view.state, taskId: view.task_id } });
}

export function stateCell(view) {
  return h("span", { class: `state state-${view.state}` }, STATE_LABELS[view.state] ?? view.state, view.error ? ` — ${view.error.code}` : "");
}

function row(view) {
  return h(
    "tr",
    { dataset: { taskId: view.task_id } },
    h("td", {}, h("a", { href: `#/tasks/${view.task_id}`, class: "id", title: view.task_id }, shortId(view.task_id))),
    h("td", {}, view.task_type ?? "–"),
    h("td", { class: "id", title: view.tenant_id ?? "" }, shortId(view.tenant_id)),
    h("td", {}, stateCell(view)),
    h("td", {}, view.progress?.stage_label ?? view.current_stage ?? ""),
    h("td", {}, progressBar(view), " ", h("span", { class: "muted" }, view.state === "completed" ? "100 %" : `${view.progress?.percent ?? 0} %`)),
    h("td", {}, `${view.attempt}${view.max_attempts ? ` / ${view.max_attempts}` : ""}`),
    h("td", { title: view.updated_at ?? "" }, relative(view.updated_at)),
  );
}

function filters() {
  const form = document.getElementById("filters");
  const data = new FormData(form);
  const params = new URLSearchParams();
  for (const name of ["state", "task_type", "tenant_id", "q"]) {
    const v = String(data.get(name) ?? "").trim();
    if (v) params.set(name, v);
  }
  if (data.get("rejected")) params.set("rejected", "include");
  params.set("limit", String(PAGE_SIZE));
  return params;
}

export async function loadTasks() {
  const params = filters();
  const cursor = cursors[cursors.length - 1];
  if (cursor) params.set("cursor", cursor);
  let page;
  try {
    page = await api(`/tasks?${params}`);
  } catch (error) {
    say(`Could not list tasks: ${error.message}`);
    return;
  }
  const body = clear(document.querySelector("#tasks tbody"));
  rows.clear();
  for (const view of page.tasks) {
    const tr = row(view);
    rows.set(view.task_id, tr);
    body.append(tr);
  }
  if (page.tasks.length === 0) body.append(h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No task matches.")));
  nextCursor = page.next_cursor;
  document.getElementById("task-total").textContent = `(${page.total})`;
  document.getElementById("page-info").textContent = `page ${cursors.length + 1} of ${Math.max(1, Math.ceil(page.total / PAGE_SIZE))}`;
  document.getElementById("page-next").disabled = nextCursor === null;
  document.getElementById("page-first").disabled = cursors.length === 0;
}

/** A task changed: its row is redrawn; a task not on the page brings a reload of the first page. */
export function taskChanged(view) {
  const old = rows.get(view.task_id);
  if (old) {
    const tr = row(view);
    rows.set(view.task_id, tr);
    old.replaceWith(tr);
    return;
  }
  if (cursors.length > 0 || reloadTimer) return;
  reloadTimer = setTimeout(() => {
    reloadTimer = null;
    void loadTasks();
  }, 500);
}

/** The task types come from the service's own contract (the OpenAPI document), not a copy here. */
async function fillTaskTypes() {
  const doc = await api("/openapi.json").catch(() => null);
  const types = doc?.components?.schemas?.TaskMessage?.properties?.task_type?.enum ?? [];
  const select = document.querySelector("#filters select[name=task_type]");
  for (const t of types) select.append(h("option", { value: t }, t));
}

export function setUpTaskList() {
  void fillTaskTypes();
  document.getElementById("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    cursors = [];
    void loadTasks();
  });
  for (const el of document.querySelectorAll("#filters select, #filters input[type=checkbox]")) {
    el.addEventListener("change", () => {
      cursors = [];
      void loadTasks();
    });
  }
  document.getElementById("page-next").addEventListener("click", () => {
    if (nextCursor === null) return;
    cursors.push(nextCursor);
    void loadTasks();
  });
  document.getElementById("page-first").addEventListener("click", () => {
    cursors = [];
    void loadTasks();
  });
}
