import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../../helpers/fixtures.ts";
import { freshVhost } from "../../helpers/amqp.ts";
import { embeddedEnv } from "../../helpers/embedded-env.ts";
import { startServiceProcess } from "../../helpers/service-process.ts";

const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool", "inf", "nan"]);

/** Metric names in a PromQL expression: identifiers that are not functions (followed by "("), not
 * keywords, not label names (inside {…} or a by/without/on/ignoring list), not strings or durations. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b\d+(?:ms|[smhdwy])\b/g, "");
  const names = new Set<string>();
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

function expressionsOf(dashboard: { panels: { targets?: { expr: string }[] }[]; templating: { list: { query?: unknown }[] } }): string[] {
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  for (const v of dashboard.templating.list) {
    const q = typeof v.query === "object" && v.query !== null ? (v.query as { query?: string }).query : undefined;
    // label_values(<metric>, <label>): the metric is the first argument.
    const metric = q && /^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(q)?.[1];
    if (metric) exprs.push(metric);
  }
  return exprs;
}

/** Every series name a registry's exposition can carry, from its `# TYPE` lines. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(`${name}${s}`);
    if (type === "summary") for (const s of ["_sum", "_count"]) names.add(`${name}${s}`);
  }
  return names;
}

test("metricNamesIn reads metric names, not functions, labels, strings or durations", () => {
  assert.deepEqual(metricNamesIn('sum by (le, route) (rate(a_bucket{route=~"x|y", b="c"}[5m])) * on (instance) b_total offset 5m'), ["a_bucket", "b_total"]);
  assert.deepEqual(metricNamesIn("histogram_quantile(0.95, max without (instance, pod) (rate(h_bucket[15m]))) > bool 2"), ["h_bucket"]);
});

test("every metric the Grafana dashboard queries is one the service exports (AMQP mode, real /metrics), and the dashboard shows each family issue 15 asks for", { timeout: 120_000 }, async () => {
  const dashboard = JSON.parse(await readFile(join(REPO_ROOT, "docs", "grafana", "vision-s3d.json"), "utf8")) as Parameters<typeof expressionsOf>[0];
  const queried = new Set(expressionsOf(dashboard).flatMap(metricNamesIn));
  assert.ok(queried.size >= 20, `the dashboard queries ${queried.size} metrics`);

  const vhost = await freshVhost();
  const installation = await embeddedEnv();
  const svc = await startServiceProcess({ ...installation.env, AMQP_URL: vhost.url });
  let exposition = "";
  try {
    await fetch(`${svc.url}/tasks`); // an HTTP request, so the request series exist as well as their TYPE
    // Queue depth is read from RabbitMQ at scrape time, within a timeout: on a loaded machine the
    // first scrapes may come back before the broker answered for every queue (series absent, not 0).
    for (let i = 0; i < 20; i++) {
      exposition = await (await fetch(`${svc.url}/metrics`)).text();
      if (/^vs3d_queue_messages\{queue="tasks\.light"\} \d+$/m.test(exposition)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
    await vhost.drop();
  }
  const exported = exportedNames(exposition);
  const missing = [...queried].filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], `queried by the dashboard, not exported by the service: ${missing.join(", ")}`);

  for (const family of [
    "vs3d_tasks_finished_total",
    "vs3d_task_duration_seconds_bucket",
    "vs3d_task_retries_total",
    "vs3d_queue_messages",
    "vs3d_slot_wait_seconds_bucket",
    "vs3d_broker_cpu_target_cores",
    "vs3d_node_cpu_used_cores",
    "vs3d_broker_ram_target_bytes",
    "vs3d_node_ram_used_bytes",
    "vs3d_workers_running",
    "vs3d_projection_lag_events",
    "vs3d_http_requests_total",
  ]) {
    assert.ok(queried.has(family), `the dashboard shows ${family}`);
  }
  // Prometheus conventions: counters end in _total; units are base units in the name.
  for (const [, name, type] of exposition.matchAll(/^# TYPE (vs3d_\S+) (\S+)$/gm)) {
    if (type === "counter") assert.match(name!, /_total$/, name);
    assert.doesNotMatch(name!, /_(ms|milliseconds|percent|kb|mb|gb|mib|gib)(_|$)/, `${name}: base units`);
  }
  assert.match(exposition, /^vs3d_queue_messages\{queue="tasks\.light"\} \d+$/m, "queue depth in AMQP mode, live");
  assert.match(exposition, /^vs3d_http_requests_total\{method="GET",route="\/tasks",status="200"\} 1$/m);
});
