import type { Hono } from "hono";
import type { EventStore } from "../ports/event-store.port.ts";
import { recordedOutputs } from "./task-files.ts";
import { VIEWER_MODULES_PREFIX } from "./viewer-modules.ts";

const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The page: three.js + 3d-tiles-renderer from this service (import map, no CDN), the tileset
 * re-centred and turned z-up → y-up (ReorientationPlugin), meshopt decoding, orbit controls.
 * `window.vs3dViewer` reports what loaded, for tests and the curious. */
export function viewerHtml(tilesetUrl: string, title: string): string {
  const m = VIEWER_MODULES_PREFIX;
  const imports = {
    three: `${m}/three/build/three.module.js`,
    "three/addons/": `${m}/three/examples/jsm/`,
    "3d-tiles-renderer": `${m}/3d-tiles-renderer/build/index.three.js`,
    "3d-tiles-renderer/plugins": `${m}/3d-tiles-renderer/build/index.three-plugins.js`,
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>html,body{margin:0;height:100%;background:#111;color:#ddd;font:13px system-ui,sans-serif;overflow:hidden}
#info{position:absolute;left:.8rem;top:.6rem;pointer-events:none}#info a{pointer-events:auto;color:#8cf}</style>
<script type="importmap">${JSON.stringify({ imports })}</script>
</head><body>
<div id="info"><a href="/">tasks</a> · ${esc(title)} · <span id="status">loading…</span></div>
<script type="module">
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { MeshoptDecoder } from "three/addons/libs/meshopt_decoder.module.js";
import { TilesRenderer } from "3d-tiles-renderer";
import { GLTFExtensionsPlugin, ReorientationPlugin } from "3d-tiles-renderer/plugins";

const state = window.vs3dViewer = { tilesetLoaded: false, models: 0, points: 0, error: null, progress: 0 };
const status = document.getElementById("status");
const renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
renderer.setPixelRatio(window.devicePixelRatio);
renderer.setSize(window.innerWidth, window.innerHeight);
renderer.setClearColor(0x111111);
document.body.appendChild(renderer.domElement);
const scene = new THREE.Scene();
const camera = new THREE.PerspectiveCamera(60, window.innerWidth / window.innerHeight, 0.1, 1e7);
camera.position.set(0, 500, 500);
const controls = new OrbitControls(camera, renderer.domElement);

const tiles = new TilesRenderer(${JSON.stringify(tilesetUrl)});
// With API_KEYS the page is opened with ?api_key=…; every tile request carries it as a header.
const apiKey = new URLSearchParams(location.search).get("api_key");
if (apiKey) tiles.fetchOptions = { ...tiles.fetchOptions, headers: { "x-api-key": apiKey } };
tiles.registerPlugin(new GLTFExtensionsPlugin({ meshoptDecoder: MeshoptDecoder }));
// Georeferenced tilesets are turned so their local up is +y at the origin; unplaced ones (z-up) too.
tiles.registerPlugin(new ReorientationPlugin({ up: "+z", recenter: true }));
tiles.errorTarget = 2;
scene.add(tiles.group);

// The ReorientationPlugin (registered first) has moved the tileset's centre to the origin by now.
tiles.addEventListener("load-root-tileset", () => {
  state.tilesetLoaded = true;
  const sphere = new THREE.Sphere();
  if (tiles.getBoundingSphere(sphere)) {
    const r = Math.max(sphere.radius, 1);
    controls.target.set(0, 0, 0);
    camera.position.set(0, r * 0.9, r * 1.1);
    camera.near = r / 1000; camera.far = r * 100; camera.updateProjectionMatrix();
    controls.update();
  }
});
tiles.addEventListener("load-model", ({ scene: model }) => {
  state.models++;
  model.traverse((o) => {
    if (o.isPoints) {
      o.material.size = 2;
      o.material.sizeAttenuation = false;
      state.points += o.geometry.attributes.position.count;
    }
  });
});
tiles.addEventListener("load-error", (e) => { state.error = String(e.error?.message ?? e.error); });

function frame() {
  requestAnimationFrame(frame);
  camera.updateMatrixWorld();
  tiles.setCamera(camera);
  tiles.setResolutionFromRenderer(camera, renderer);
  tiles.update();
  renderer.render(scene, camera);
  state.progress = tiles.loadProgress;
  status.textContent = state.error ? "error: " + state.error : state.points.toLocaleString() + " points in " + state.models + " tiles" + (tiles.loadProgress < 1 ? " (loading)" : "");
}
frame();
window.addEventListener("resize", () => {
  camera.aspect = window.innerWidth / window.innerHeight; camera.updateProjectionMatrix();
  renderer.setSize(window.innerWidth, window.innerHeight);
});
</script></body></html>`;
}

/** `GET /tasks/:id/view`: the viewer for a task's tileset (404 when the task has none). */
export function registerViewerPage(app: Hono, deps: { store: EventStore }): void {
  app.get("/tasks/:id/view", async (c) => {
    const id = c.req.param("id").toLowerCase();
    const recorded = await recordedOutputs(deps.store, id);
    const tileset = recorded?.outputs.find((o) => o.type === "tileset");
    if (!tileset) return c.json({ error: { code: "NOT_FOUND", message: `task ${id} has no tileset output` } }, 404);
    const url = `/tasks/${id}/files/${tileset.path.split("/").map(encodeURIComponent).join("/")}`;
    return c.html(viewerHtml(url, `task ${id}`));
  });
}
