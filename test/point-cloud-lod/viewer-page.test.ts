import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { chromium, type Page } from "playwright-core";
import sharp from "sharp";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess, waitFor, type ServiceProcess } from "../helpers/service-process.ts";
import { pc } from "../point-cloud/pc-test-utils.ts";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
];

interface TaskView {
  state: string;
  outputs: { path: string; type: string; key: string; size_bytes: number; part_of?: string }[];
}

function completed(svc: ServiceProcess, id: string): Promise<TaskView> {
  return waitFor(
    "the task to complete",
    async () => {
      const v = (await (await fetch(`${svc.url}/tasks/${id}`)).json()) as TaskView;
      if (v.state === "failed") throw new Error(`task failed: ${JSON.stringify(v)}\n${svc.logs().slice(-3000)}`);
      return v.state === "completed" ? v : undefined;
    },
    90_000,
  );
}

/** Waits until the viewer has loaded what it wants, then counts the screenshot's non-background
 * pixels (background #111111; the status line's 30 px are skipped) and their distinct colours. */
async function viewerScreenshot(page: Page, failures: string[]): Promise<{ points: number; png: Buffer; lit: number; pixels: number; colours: number }> {
  await page.waitForFunction(
    () => {
      const s = (globalThis as unknown as { vs3dViewer?: { points: number; progress: number; error: string | null } }).vs3dViewer;
      return s && (s.error !== null || (s.points > 0 && s.progress === 1));
    },
    undefined,
    { timeout: 60_000 },
  );
  const state = await page.evaluate(() => (globalThis as unknown as { vs3dViewer: { points: number; error: string | null } }).vs3dViewer);
  assert.equal(state.error, null, `viewer error; ${failures.join("; ")}`);
  assert.deepEqual(failures, []);
  await page.waitForTimeout(500);
  const png = await page.screenshot({ type: "png" });
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let lit = 0;
  const colours = new Set<number>();
  for (let i = 30 * info.width * info.channels; i < data.length; i += info.channels) {
    const r = data[i]!,
      g = data[i + 1]!,
      b = data[i + 2]!;
    if (Math.abs(r - 17) + Math.abs(g - 17) + Math.abs(b - 17) > 40) {
      lit++;
      colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
    }
  }
  return { points: state.points, png, lit, pixels: info.width * (info.height - 30), colours: colours.size };
}

test("the dashboard opens a finished task's tileset in the viewer, and the screenshot shows the points", { timeout: 150_000 }, async () => {
  const sandbox = await embeddedEnv();
  const laz = await readFile(pc("laspy_autzen_trim.laz"));
  await sandbox.put("in", "files/autzen.laz", laz);
  await sandbox.put("out", "secret/not-an-output.json", '{"secret":true}');
  // The real point_cloud_lod processor, asked for the tileset only.
  const svc = await startServiceProcess(sandbox.env);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const msg = taskMessage({
      task_type: "point_cloud_lod",
      source: { bucket: "in", key: "files/autzen.laz", size_bytes: laz.byteLength, format: "laz" },
      params: { output_formats: ["3dtiles"], generate_thumbnails: false, tiles: { points_per_tile: 5000 } },
    });
    const id = msg.task_id as string;
    const posted = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg) });
    assert.equal(posted.status, 202, await posted.text());
    const view = await completed(svc, id);
    assert.equal(view.outputs.filter((o) => o.type === "tileset").length, 1);
    const tiles = view.outputs.filter((o) => o.type === "tile");
    assert.ok(tiles.length > 10 && tiles.every((t) => t.part_of === "tiles/tileset.json"), "every tile is recorded as part of the tileset");

    // The files route serves exactly the recorded outputs, tiles included.
    const tilesetRes = await fetch(`${svc.url}/tasks/${id}/files/tiles/tileset.json`);
    assert.equal(tilesetRes.status, 200);
    assert.match(tilesetRes.headers.get("content-type") ?? "", /json/);
    const tileset = (await tilesetRes.json()) as { asset: { version: string }; root: { content: { uri: string } } };
    assert.equal(tileset.asset.version, "1.1");
    const tile = await fetch(`${svc.url}/tasks/${id}/files/tiles/${tileset.root.content.uri}`);
    assert.equal(tile.status, 200);
    const tileBytes = new Uint8Array(await tile.arrayBuffer());
    const stored = await readFile(join(sandbox.env.STORAGE_DIR!, "out", `processed/${id}/tiles/${tileset.root.content.uri}`));
    assert.deepEqual(Buffer.from(tileBytes), stored);
    for (const bad of ["secret/not-an-output.json", "../secret/not-an-output.json", "..%2F..%2Fsecret%2Fnot-an-output.json", "tiles/nope.glb", "tiles"]) {
      assert.equal((await fetch(`${svc.url}/tasks/${id}/files/${bad}`)).status, 404, bad);
    }
    assert.equal((await fetch(`${svc.url}/tasks/00000000-0000-4000-8000-000000000000/files/tiles/tileset.json`)).status, 404);
    assert.equal((await fetch(`${svc.url}/tasks/00000000-0000-4000-8000-000000000000/view`)).status, 404);
    for (const bad of ["three/package.json", "execa/index.js", "three/../execa/index.js", "three/build/../../execa/index.js"]) {
      assert.equal((await fetch(`${svc.url}/viewer/modules/${bad}`)).status, 404, bad);
    }
    assert.equal((await fetch(`${svc.url}/viewer/modules/three/build/three.module.js`)).status, 200);

    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    const failures: string[] = [];
    page.on("pageerror", (e) => failures.push(String(e)));
    page.on("requestfailed", (r) => failures.push(`${r.url()}: ${r.failure()?.errorText}`));
    // A user's path: the dashboard lists the task, its page has the viewer link.
    await page.goto(`${svc.url}/`);
    const row = page.locator(`a[href="#/tasks/${id}"]`);
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    const link = page.locator(`a[href="/tasks/${id}/view"]`);
    await link.waitFor({ timeout: 20_000 });
    await link.click();
    await page.waitForURL(`**/tasks/${id}/view`);
    // Leaving the dashboard aborts its live feed (/events/tasks): that is the dashboard's, not the viewer's.
    failures.length = 0;
    const shot = await viewerScreenshot(page, failures);
    assert.ok(shot.points > 10_000 && shot.points <= 110_000, `points shown: ${shot.points}`);
    await writeFile(join(sandbox.root, "viewer.png"), shot.png);
    if (process.env.VS3D_KEEP_SCREENSHOT) await writeFile(process.env.VS3D_KEEP_SCREENSHOT, shot.png);
    assert.ok(shot.lit / shot.pixels > 0.05, `points cover ${((shot.lit / shot.pixels) * 100).toFixed(1)} % of the canvas`);
    assert.ok(shot.colours > 50, `RGB-coloured points, not one flat colour (${shot.colours} colours)`);

    // A cloud without a CRS (z-up at the origin, identity transform) shows too.
    const plain = await readFile(pc("laspy_simple.las"));
    await sandbox.put("in", "files/simple.las", plain);
    const msg2 = taskMessage({
      task_type: "point_cloud_lod",
      source: { bucket: "in", key: "files/simple.las", size_bytes: plain.byteLength, format: "las" },
      params: { output_formats: ["3dtiles"], generate_thumbnails: false },
    });
    assert.equal((await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg2) })).status, 202);
    await completed(svc, msg2.task_id as string);
    const tileset2 = (await (await fetch(`${svc.url}/tasks/${msg2.task_id as string}/files/tiles/tileset.json`)).json()) as { root: { transform?: number[] } };
    assert.equal(tileset2.root.transform, undefined, "unplaced: identity");
    await page.goto(`${svc.url}/tasks/${msg2.task_id as string}/view`);
    const shot2 = await viewerScreenshot(page, failures);
    if (process.env.VS3D_KEEP_SCREENSHOT) await writeFile(process.env.VS3D_KEEP_SCREENSHOT.replace(/\.png$/, "-unplaced.png"), shot2.png);
    assert.equal(shot2.points, 1065);
    assert.ok(shot2.lit > 1000, `${shot2.lit} lit pixels`);
  } finally {
    await browser.close();
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});
