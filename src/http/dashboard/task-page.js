// One task: its state, error, outputs (images inline, tilesets in the viewer), timeline and actions.
import { api, apiKey, fileUrl } from "./api.js";
import { clear, h, say } from "./dom.js";
import { SETTLED, STATE_LABELS, bytes, duration, time } from "./format.js";
import { progressBar, stateCell } from "./task-list.js";

let current = null;
let refreshTimer = null;

const filePath = (id, output) => `/tasks/${id}/files/${output.path.split("/").map(encodeURIComponent).join("/")}`;

function errorBox(view) {
  if (!view.error) return null;
  const e = view.error;
  return h(
    "section",
    { class: "error-box", "aria-labelledby": "error-title" },
    h("h3", { id: "error-title" }, "Error"),
    h("p", {}, h("span", { class: "code" }, e.code), e.stage ? ` in stage ${e.stage}` : "", e.recoverable ? " (recoverable)" : ""),
    h("p", { class: "error-message" }, e.message),
  );
}

function fileLink(id, output, text) {
  const path = filePath(id, output);
  const a = h("a", { href: path, class: "file-link" }, text);
  // With a key the plain link would be refused: open a blob fetched with the key instead.
  a.addEventListener("click", async (event) => {
    if (!apiKey.get()) return;
    event.preventDefault();
    try {
      window.open(await fileUrl(path), "_blank", "noopener");
    } catch (error) {
      say(error.message);
    }
  });
  return a;
}

/** A GLB opens in the model viewer page (the viewer pages take the key as ?api_key=: they load files themselves). */
function modelLink(id, output) {
  const key = apiKey.get();
  const path = `/tasks/${id}/model/${output.path.split("/").map(encodeURIComponent).join("/")}`;
  return h("a", { href: `${path}${key ? `?api_key=${encodeURIComponent(key)}` : ""}`, class: "model-link" }, "view in 3D");
}

function outputsSection(view) {
  const visible = view.outputs.filter((o) => !o.part_of);
  if (visible.length === 0) return h("p", { class: "muted" }, view.state === "completed" ? "No outputs." : "No outputs yet.");
  const parts = view.outputs.length - visible.length;
  const images = visible.filter((o) => o.content_type.startsWith("image/"));
  const thumbs = h("div", { class: "thumbs" });
  for (const o of images) {
    const img = h("img", { alt: `${o.type} ${o.path}`, loading: "lazy" });
    fileUrl(filePath(view.task_id, o)).then(
      (url) => (img.src = url),
      () => (img.alt = `${o.path} could not be loaded`),
    );
    thumbs.append(h("figure", {}, img, h("figcaption", { class: "muted" }, `${o.type} · ${bytes(o.size_bytes)}`)));
  }
  const hasTileset = visible.some((o) => o.type === "tileset" || o.path.endsWith("tileset.json"));
  const list = h(
    "table",
    { class: "outputs" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "File"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Format"), h("th", { scope: "col" }, "Size"))),
    h(
      "tbody",
      {},
      visible.map((o) =>
        h(
          "tr",
          {},
          h(
            "td",
            {},
            fileLink(view.task_id, o, o.path),
            o.format === "glb" ? [" · ", modelLink(view.task_id, o)] : "",
            o.warnings?.length ? h("span", { class: "muted" }, ` (${o.warnings.length} warning(s))`) : "",
          ),
          h("td", {}, o.type),
          h("td", {}, o.format),
          h("td", {}, bytes(o.size_bytes)),
        ),
      ),
    ),
  );
  const key = apiKey.get();
  const viewer = hasTileset
    ? h("p", {}, h("a", { href: `/tasks/${view.task_id}/view${key ? `?api_key=${encodeURIComponent(key)}` : ""}`, class: "viewer-link" }, "Open the tileset in the 3D viewer"))
    : null;
  return h("div", {}, viewer, images.length ? thumbs : null, list, parts ? h("p", { class: "muted" }, `…and ${parts} file(s) belonging to these (tiles)`) : null);
}

function timelineSection(entries) {
  return h(
    "table",
    { id: "timeline" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Attempt"), h("th", { scope: "col" }, "What"), h("th", { scope: "col" }, "Detail"), h("th", { scope: "col" }, "Took")),
    ),
    h(
      "tbody",
      {},
      entries.map((e) =>
        h(
          "tr",
          { dataset: { kind: e.kind } },
          h("td", { title: e.at }, time(e.at)),
          h("td", {}, String(e.attempt)),
          h("td", {}, e.title),
          h("td", {}, e.detail ?? "", e.next_attempt_at ? ` — next attempt at ${time(e.next_attempt_at)}` : ""),
          h("td", {}, e.duration_seconds === null ? (e.kind === "stage" || e.kind === "slot_wait" || e.kind === "download" ? "…" : "") : duration(e.duration_seconds)),
        ),
      ),
    ),
  );
}

function actions(view, reload) {
  const box = h("div", { class: "actions" });
  if (!SETTLED.has(view.state)) {
    box.append(
      h(
        "button",
        {
          type: "button",
          class: "danger",
          id: "cancel-task",
          onclick: async () => {
            try {
              await api(`/tasks/${view.task_id}/cancel`, { method: "POST", body: { reason: "cancelled from the dashboard" } });
              say("Cancel requested.", "info");
            } catch (error) {
              say(`Cancel failed: ${error.message}`);
            }
            void reload();
          },
        },
        "Cancel task",
      ),
    );
  }
  if ((view.state === "failed" || view.state === "dead_lettered") && !view.rejected) {
    box.append(
      h(
        "button",
        {
          type: "button",
          id: "retry-task",
          onclick: async () => {
            try {
              const r = await api(`/tasks/${view.task_id}/retry`, { method: "POST" });
              say(r.retry === "replayed" ? "Next attempt started." : "Replayed from the DLQ.", "info");
            } catch (error) {
              say(`Retry failed: ${error.message}`);
            }
            void reload();
          },
        },
        "Retry task",
      ),
    );
  }
  return box;
}

export async function showTask(id) {
  current = id;
  const root = document.getElementById("task-view");
  const reload = () => showTask(id);
  let view;
  let timeline;
  try {
    [view, timeline] = await Promise.all([api(`/tasks/${id}`), api(`/tasks/${id}/timeline`)]);
  } catch (error) {
    clear(root).append(h("p", {}, h("a", { href: "#/" }, "← all tasks")), h("p", { role: "alert" }, `Task ${id}: ${error.message}`));
    return;
  }
  if (current !== id) return;
  // A live redraw must not take the keyboard focus away from a button.
  const focused = root.contains(document.activeElement) ? document.activeElement.id : "";
  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Task"),
    h("dd", { class: "id" }, view.task_id),
    h("dt", {}, "Type"),
    h("dd", {}, view.task_type ?? "–"),
    h("dt", {}, "Tenant"),
    h("dd", { class: "id" }, view.tenant_id ?? "–"),
    h("dt", {}, "State"),
    h("dd", { id: "task-state" }, stateCell(view), view.rejected ? " (refused at acceptance)" : ""),
    h("dt", {}, "Stage"),
    h("dd", {}, view.progress?.stage_label ?? view.current_stage ?? "–"),
    h("dt", {}, "Progress"),
    h("dd", {}, progressBar(view), ` ${view.state === "completed" ? 100 : (view.progress?.percent ?? 0)} %`),
    h("dt", {}, "Attempt"),
    h("dd", {}, `${view.attempt}${view.max_attempts ? ` of ${view.max_attempts}` : ""}`),
    h("dt", {}, "Accepted"),
    h("dd", {}, time(view.accepted_at)),
    view.reason ? [h("dt", {}, "Reason"), h("dd", { id: "task-reason" }, view.reason)] : null,
  );
  const parts = [
    h("p", {}, h("a", { href: "#/" }, "← all tasks")),
    h("h2", { id: "task-title", tabindex: "-1" }, `${view.task_type ?? "Task"} ${view.task_id.slice(0, 8)} — ${STATE_LABELS[view.state] ?? view.state}`),
    h("section", { class: "panel" }, facts, actions(view, reload)),
    errorBox(view),
    h("section", { class: "panel", "aria-labelledby": "outputs-title" }, h("h3", { id: "outputs-title" }, "Outputs"), outputsSection(view)),
    h(
      "section",
      { class: "panel", "aria-labelledby": "timeline-title" },
      h("h3", { id: "timeline-title" }, "Timeline"),
      timelineSection(timeline.entries),
      h("p", {}, h("a", { href: `/tasks/${id}/events`, class: "muted raw-events" }, "raw events (JSON)")),
    ),
  ];
  clear(root).append(...parts.filter(Boolean));
  if (focused) document.getElementById(focused)?.focus();
}

/** The live stream says this task changed: redraw it, at most twice a second. */
export function taskPageChanged(view) {
  if (view.task_id !== current || refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    if (current === view.task_id) void showTask(view.task_id);
  }, 500);
}

export function leaveTask() {
  current = null;
}
