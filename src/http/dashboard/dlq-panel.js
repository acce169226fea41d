// What waits for a person: the DLQ (RabbitMQ) or, embedded, the tasks out of attempts; each replayable.
import { api } from "./api.js";
import { clear, h, say } from "./dom.js";
import { time } from "./format.js";
import { shortId } from "./task-list.js";

let timer = null;

export async function loadDlq() {
  const body = document.getElementById("dlq-body");
  let list;
  try {
    list = await api("/dlq");
  } catch (error) {
    clear(body).append(h("p", { class: "muted" }, `Dead letters: ${error.message}`));
    return;
  }
  clear(body).append(
    h("p", { class: "muted" }, list.source === "rabbitmq" ? "Messages in tasks.dlq." : "Embedded mode has no DLQ: these tasks ran out of attempts."),
    list.entries.length === 0
      ? h("p", {}, "Nothing here.")
      : h(
          "table",
          { id: "dlq" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Task", "Type", "Attempt", "Code", "Reason", "When", ""].map((t) => h("th", { scope: "col" }, t)),
            ),
          ),
          h(
            "tbody",
            {},
            list.entries.map((e) =>
              h(
                "tr",
                { dataset: { taskId: e.task_id ?? "" } },
                h("td", {}, e.task_id ? h("a", { href: `#/tasks/${e.task_id}`, class: "id" }, shortId(e.task_id)) : "(unreadable)"),
                h("td", {}, e.task_type ?? "–"),
                h("td", {}, e.attempt ?? "–"),
                h("td", {}, e.code ?? "–"),
                h("td", {}, e.reason ?? ""),
                h("td", {}, time(e.dead_lettered_at)),
                h(
                  "td",
                  {},
                  e.replayable && e.task_id
                    ? h(
                        "button",
                        {
                          type: "button",
                          class: "replay",
                          onclick: async () => {
                            try {
                              await api(`/tasks/${e.task_id}/retry`, { method: "POST" });
                              say(`Task ${shortId(e.task_id)} replayed.`, "info");
                            } catch (error) {
                              say(`Replay failed: ${error.message}`);
                            }
                            void loadDlq();
                          },
                        },
                        "Replay",
                      )
                    : "",
                ),
              ),
            ),
          ),
        ),
  );
}

/** A task settled or left the DLQ: look again, at most once a second. */
export function dlqMaybeChanged(view) {
  if (timer || !["failed", "dead_lettered", "queued"].includes(view.state)) return;
  timer = setTimeout(() => {
    timer = null;
    void loadDlq();
  }, 1000);
}
