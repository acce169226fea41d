import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { fixture } from "../helpers/fixtures.ts";
import { startServiceProcess, waitFor, type ServiceProcess } from "../helpers/service-process.ts";

// The dashboard as an operator uses it, in Debian's headless Chromium, against the real service in
// embedded mode: the real image_thumbnail processor, and test-processors' slow image_convert.
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];

/** `webgl`: software WebGL (SwiftShader), for the 3D viewer pages. */
async function openBrowser(options: { webgl?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const userDataDir = await mkdtemp(join(tmpdir(), "vs3d-chromium-"));
  const args = options.webgl ? [...CHROMIUM_ARGS, "--use-angle=swiftshader", "--enable-unsafe-swiftshader"] : CHROMIUM_ARGS;
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: "/usr/bin/chromium", headless: true, args });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("console", (m) => void (m.type() === "error" && !/401|404|409/.test(m.text()) && problems.push(m.text())));
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
      assert.deepEqual(problems, [], "the page ran without script errors");
    },
  };
}

function post(svc: ServiceProcess, msg: Record<string, unknown>, key?: string): Promise<Response> {
  return fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) }, body: JSON.stringify(msg) });
}

// Page-side functions (never source strings: the page's CSP forbids eval, and is tested so). These
// files are type-checked without the DOM library, hence the narrow stand-in for `document`.
interface El {
  textContent: string | null;
  value?: number;
  complete?: boolean;
  naturalWidth?: number;
  dataset: Record<string, string>;
}
interface PageGlobals {
  document: { querySelector(s: string): El | null; querySelectorAll(s: string): Iterable<El> };
}
const rowIds = (page: Page) => page.evaluate(() => [...(globalThis as unknown as PageGlobals).document.querySelectorAll("#tasks tbody tr[data-task-id]")].map((tr) => tr.dataset["taskId"]!));
const progressOf = (page: Page, id: string) => page.evaluate((id) => (globalThis as unknown as PageGlobals).document.querySelector(`#tasks progress[data-task-id="${id}"]`)?.value ?? -1, id);
const textIs = (page: Page, selector: string, test: (text: string) => boolean) =>
  waitFor(`${selector} to read as expected`, async () => test((await page.textContent(selector).catch(() => null)) ?? ""), 30_000);
const totalIs = (page: Page, n: number) => textIs(page, "#task-total", (t) => t === `(${n})`);

test(
  "dashboard in Chromium: a live bar moves, a running task is cancelled by its button, a failed task shows its message and is retried, refused tasks stay off the page, filters and pages",
  { timeout: 240_000 },
  async () => {
    const sandbox = await embeddedEnv();
    const photo = await readFile(fixture("images", "recurser_Landscape_3.jpg"));
    await sandbox.put("in", "files/photo.jpg", photo);
    await sandbox.put("in", "files/broken.jpg", "this is not a JPEG at all");
    await sandbox.put("in", "files/input.bin", "hello");
    const svc = await startServiceProcess(sandbox.env);
    const browser = await openBrowser();
    const { page } = browser;
    try {
      // Refused at acceptance (bad params): 30 of them, before any real task.
      const refused: string[] = [];
      for (let i = 0; i < 30; i++) {
        const msg = taskMessage({ task_type: "image_thumbnail", params: { sizes: "not sizes" } });
        assert.equal((await post(svc, msg)).status, 422);
        refused.push(msg.task_id as string);
      }
      const slow = taskMessage({ params: { stages: 3, stage_ms: 12_000 } });
      const thumb = taskMessage({ task_type: "image_thumbnail", source: { bucket: "in", key: "files/photo.jpg", size_bytes: photo.length, format: "jpg" }, params: { sizes: [64] } });
      const broken = taskMessage({
        task_type: "image_thumbnail",
        source: { bucket: "in", key: "files/broken.jpg", size_bytes: 25, format: "jpg" },
        params: { sizes: [64] },
        retry: { attempt: 1, max_attempts: 1 },
      });
      for (const m of [slow, thumb, broken]) assert.equal((await post(svc, m)).status, 202);
      const [slowId, thumbId, brokenId] = [slow, thumb, broken].map((m) => m.task_id as string) as [string, string, string];

      await page.goto(`${svc.url}/`);
      await page.waitForSelector('#live[data-status="live"]');
      await page.waitForSelector(`#tasks tr[data-task-id="${slowId}"]`);
      const listed = await rowIds(page);
      assert.ok(
        refused.every((id) => !listed.includes(id)),
        "refused tasks are hidden by default",
      );
      assert.deepEqual(new Set(listed), new Set([slowId, thumbId, brokenId]));
      assert.equal(await page.textContent("#task-total"), "(3)");

      // The slow task's bar moves with no reload: the live stream redraws its row.
      const start = await waitFor("the slow task's bar to start", async () => ((await progressOf(page, slowId)) > 0 ? progressOf(page, slowId) : null), 60_000);
      const later = await waitFor(
        "the slow task's bar to move",
        async () => {
          const v = await progressOf(page, slowId);
          return v > start ? v : null;
        },
        60_000,
      );
      assert.ok(later > start && later < 100, `the bar moved from ${start} to ${later}`);

      // The node panel shows the broker's view while the slow task holds a slot.
      await page.waitForSelector("#node-cpu");
      await page.waitForSelector('#node-types tr[data-task-type="image_convert"]');

      // Cancel the running task through its page's button, with the keyboard.
      await page.click(`#tasks tr[data-task-id="${slowId}"] a`);
      await page.waitForSelector("#cancel-task");
      await page.focus("#cancel-task");
      await page.keyboard.press("Enter");
      await textIs(page, "#task-state", (t) => t.startsWith("cancelled"));
      assert.equal(await page.textContent("#task-reason"), "cancelled from the dashboard");
      assert.ok(await page.$('#timeline tr[data-kind="cancelled"]'), "the timeline ends in the cancel");
      assert.equal(await page.$("#cancel-task"), null, "a settled task offers no cancel");
      const api = (await (await fetch(`${svc.url}/tasks/${slowId}`)).json()) as { state: string };
      assert.equal(api.state, "cancelled");

      // The failed task: its readable message and stage, and a retry that starts its next attempt.
      await waitFor("the broken task to fail", async () => ((await (await fetch(`${svc.url}/tasks/${brokenId}`)).json()) as { state: string }).state === "failed", 60_000);
      const failed = (await (await fetch(`${svc.url}/tasks/${brokenId}`)).json()) as { error: { code: string; message: string } };
      await page.goto(`${svc.url}/#/tasks/${brokenId}`);
      await page.waitForSelector(".error-box .error-message");
      assert.equal(await page.textContent(".error-box .error-message"), failed.error.message);
      assert.ok(failed.error.message.length > failed.error.code.length, `a readable message, not just the code: ${failed.error.message}`);
      assert.equal(await page.textContent(".error-box .code"), failed.error.code);
      assert.ok(await page.$('#timeline tr[data-kind="failed"]'));
      await page.click("#retry-task");
      await page.waitForSelector('#timeline tr[data-kind="attempt"]', { timeout: 30_000 });
      assert.match((await page.textContent('#timeline tr[data-kind="attempt"]'))!, /Attempt 2 started.*replayed by an operator/);

      // The thumbnail: its output is a link and shows inline.
      await waitFor("the thumbnail task to complete", async () => ((await (await fetch(`${svc.url}/tasks/${thumbId}`)).json()) as { state: string }).state === "completed", 60_000);
      await page.goto(`${svc.url}/#/tasks/${thumbId}`);
      await page.waitForFunction(() => [...(globalThis as unknown as PageGlobals).document.querySelectorAll(".thumbs img")].some((i) => i.complete === true && (i.naturalWidth ?? 0) > 0), null, {
        timeout: 20_000,
      });
      const href = await page.getAttribute(".outputs a.file-link", "href");
      assert.match(href!, new RegExp(`^/tasks/${thumbId}/files/`));
      assert.equal((await fetch(`${svc.url}${href!}`)).status, 200);

      // Back on the list: a state filter, then the refused tasks asked for and paged (25 a page).
      await page.goto(`${svc.url}/#/`);
      await page.reload();
      await page.waitForSelector(`#tasks tr[data-task-id="${thumbId}"]`);
      await page.selectOption('#filters select[name="state"]', "completed");
      await totalIs(page, 1);
      assert.deepEqual(await rowIds(page), [thumbId]);
      await page.selectOption('#filters select[name="state"]', "");
      await page.check('#filters input[name="rejected"]');
      await totalIs(page, 33);
      const first = await rowIds(page);
      assert.equal(first.length, 25);
      await page.click("#page-next");
      await waitFor("the next page", async () => !(await rowIds(page)).includes(first[0]!), 30_000);
      const second = await rowIds(page);
      assert.equal(second.length, 8);
      assert.deepEqual(new Set([...first, ...second]), new Set([...refused, slowId, thumbId, brokenId]), "two pages, every task once");
      assert.ok(await page.isDisabled("#page-next"), "no page after the last");
      // The id search finds one task from part of its id.
      await page.fill('#filters input[name="q"]', brokenId.slice(0, 13));
      await page.press('#filters input[name="q"]', "Enter");
      await totalIs(page, 1);
      assert.deepEqual(await rowIds(page), [brokenId]);
    } finally {
      await browser.close().finally(() => svc.process.kill("SIGTERM"));
      await svc.process;
      await rm(sandbox.root, { recursive: true, force: true });
    }
  },
);

test("dashboard with API keys: asks for a key, keeps it out of every URL, and shows only the key's tenant", { timeout: 120_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const tenantA = randomUUID();
  const svc = await startServiceProcess({ ...sandbox.env, API_KEYS: `dashboard-key-of-tenant-a:${tenantA},dashboard-key-of-ops:*`, HTTP_HOST: "127.0.0.1" });
  const browser = await openBrowser();
  const { page } = browser;
  try {
    const mine = taskMessage({ tenant_id: tenantA, params: { stages: 1, stage_ms: 100 } });
    const theirs = taskMessage({ params: { stages: 1, stage_ms: 100 } });
    assert.equal((await post(svc, mine, "dashboard-key-of-tenant-a")).status, 202);
    assert.equal((await post(svc, theirs, "dashboard-key-of-ops")).status, 202);
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));

    await page.goto(`${svc.url}/`);
    await page.waitForSelector('#live[data-status="unauthorized"]');
    await page.fill("#api-key", "dashboard-key-of-tenant-a");
    await page.press("#api-key", "Enter");
    await page.waitForSelector('#live[data-status="live"]');
    await page.waitForSelector(`#tasks tr[data-task-id="${mine.task_id as string}"]`);
    assert.deepEqual(await rowIds(page), [mine.task_id]);
    assert.equal(await page.evaluate(() => sessionStorage.getItem("vs3d.apiKey")), "dashboard-key-of-tenant-a", "kept for this tab only");
    // Another tenant's task is not there, not even by its page.
    await page.goto(`${svc.url}/#/tasks/${theirs.task_id as string}`);
    await textIs(page, "#task-view", (t) => t.includes("no task"));
    assert.ok(urls.length > 5 && urls.every((u) => !u.includes("dashboard-key-of-tenant-a")), "the key never travels in a URL");
  } finally {
    await browser.close().finally(() => svc.process.kill("SIGTERM"));
    await svc.process;
    await rm(sandbox.root, { recursive: true, force: true });
  }
});

test("dashboard in Chromium: a mesh task's GLB opens in the 3D model viewer from its task page", { timeout: 150_000 }, async () => {
  const sandbox = await embeddedEnv();
  const ply = await readFile(fixture("mesh", "happly_platonic_shelf.ply"));
  await sandbox.put("in", "files/shelf.ply", ply);
  const svc = await startServiceProcess(sandbox.env);
  const browser = await openBrowser({ webgl: true });
  const { page } = browser;
  try {
    const mesh = taskMessage({ task_type: "mesh_3d_convert", source: { bucket: "in", key: "files/shelf.ply", size_bytes: ply.length, format: "ply" }, params: {} });
    assert.equal((await post(svc, mesh)).status, 202);
    const id = mesh.task_id as string;
    await waitFor("the mesh task to complete", async () => ((await (await fetch(`${svc.url}/tasks/${id}`)).json()) as { state: string }).state === "completed", 120_000);
    await page.goto(`${svc.url}/#/tasks/${id}`);
    await page.waitForSelector("a.model-link");
    await page.click("a.model-link");
    await page.waitForFunction(
      () => {
        const v = (globalThis as unknown as { vs3dViewer?: { loaded: boolean; error: string | null } }).vs3dViewer;
        return v !== undefined && (v.loaded || v.error !== null);
      },
      null,
      { timeout: 60_000 },
    );
    const state = await page.evaluate(() => (globalThis as unknown as { vs3dViewer: { loaded: boolean; meshes: number; triangles: number; error: string | null } }).vs3dViewer);
    assert.equal(state.error, null);
    assert.ok(state.loaded && state.meshes > 0 && state.triangles > 0, JSON.stringify(state));
    // Not a GLB output of the task: no page.
    assert.equal((await fetch(`${svc.url}/tasks/${id}/model/nothing.glb`)).status, 404);
  } finally {
    await browser.close().finally(() => svc.process.kill("SIGTERM"));
    await svc.process;
    await rm(sandbox.root, { recursive: true, force: true });
  }
});
