// The dashboard: one page, routed by the URL's hash (#/ the lists, #/tasks/<id> one task), kept live
// by the service's /events/tasks stream.
import { apiKey, live } from "./api.js";
import { say } from "./dom.js";
import { dlqMaybeChanged, loadDlq } from "./dlq-panel.js";
import { loadNode, renderNode } from "./node-panel.js";
import { loadTasks, setUpTaskList, taskChanged } from "./task-list.js";
import { leaveTask, showTask, taskPageChanged } from "./task-page.js";

const status = document.getElementById("live");
let stopLive = () => {};

function route() {
  const m = /^#\/tasks\/([0-9a-fA-F-]{36})$/.exec(location.hash);
  const list = document.getElementById("list-view");
  const task = document.getElementById("task-view");
  if (m) {
    list.hidden = true;
    task.hidden = false;
    void showTask(m[1].toLowerCase()).then(() => document.getElementById("task-title")?.focus());
  } else {
    leaveTask();
    task.hidden = true;
    list.hidden = false;
  }
}

function connect() {
  stopLive();
  stopLive = live(
    "/events/tasks",
    (type, data) => {
      if (type === "task") {
        taskChanged(data);
        taskPageChanged(data);
        dlqMaybeChanged(data);
      } else if (type === "node") renderNode(data);
    },
    (s) => {
      status.textContent = s === "live" ? "live" : s === "unauthorized" ? "needs an API key" : "reconnecting…";
      status.dataset.status = s;
      if (s === "unauthorized") {
        say("This service asks for an API key: enter it above.");
        document.getElementById("api-key").focus();
      } else if (s === "live") say("");
    },
  );
}

function loadAll() {
  void loadTasks();
  void loadNode();
  void loadDlq();
  connect();
  route();
}

document.getElementById("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = document.getElementById("api-key");
  apiKey.set(input.value.trim());
  input.value = "";
});
document.getElementById("key-forget").addEventListener("click", () => apiKey.set(""));
document.getElementById("api-key").placeholder = apiKey.get() ? "a key is set for this tab" : "only when API_KEYS is set";
apiKey.onChange(() => {
  document.getElementById("api-key").placeholder = apiKey.get() ? "a key is set for this tab" : "only when API_KEYS is set";
  loadAll();
});
window.addEventListener("hashchange", route);
setUpTaskList();
loadAll();
