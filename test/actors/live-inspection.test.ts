import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { loadConfig } from "../../src/config/config.ts";
import { TaskMessage } from "../../src/contracts/task-message.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { createService } from "../../src/service/service.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";

interface Inspected {
  type: string;
  name?: string;
  sessionId: string;
  snapshot?: { value?: unknown };
}

test("with STATELY_INSPECT set, a running task's actor streams its snapshots to the inspector's WebSocket, in order", { timeout: 60_000 }, async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => server.once("listening", () => r()));
  const received: Inspected[] = [];
  server.on("connection", (socket) => socket.on("message", (data: Buffer) => received.push(JSON.parse(data.toString("utf8")) as Inspected)));
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const env = { ...sandbox.env, STATELY_INSPECT: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
  const service = await createService(loadConfig(env), silentLogger(), { workerMode: "inline" }, env);
  try {
    const task = TaskMessage.parse(taskMessage({ params: { stages: 2, stage_ms: 10 } }));
    const { done } = await service.host.submit(task);
    assert.equal(await done, "completed");
    const actorName = `task-${task.task_id}`;
    const deadline = Date.now() + 10_000;
    let states: unknown[] = [];
    while (Date.now() < deadline) {
      const session = received.find((e) => e.type === "@xstate.actor" && e.name === actorName)?.sessionId;
      states = received.filter((e) => e.type === "@xstate.snapshot" && e.sessionId === session).map((e) => e.snapshot?.value);
      if (states.at(-1) === "completed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const distinct = states.filter((v, i) => v !== states[i - 1]);
    assert.deepEqual(distinct, ["queued", "downloading", "waiting_for_slot", "processing", "uploading", "completed"], "each state the task went through, in order");
    assert.ok(
      received.some((e) => e.type === "@xstate.actor" && e.name === "broker-" + service.config.nodeId),
      "the broker actor is inspected too",
    );
  } finally {
    await service.host.shutdown(1000);
    await service.close();
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
});
