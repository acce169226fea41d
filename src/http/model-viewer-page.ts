import type { Hono } from "hono";
import type { EventStore } from "../ports/event-store.port.ts";
import { recordedOutputs } from "./task-files.ts";
import { VIEWER_MODULES_PREFIX } from "./viewer-modules.ts";

const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The page: three.js's GLTFLoader with the meshopt decoder, from this service (no CDN), the model
 * framed by its bounding box, orbit controls. `window.vs3dViewer` reports what loaded, for tests.
 * Draco-compressed GLBs do not open here (the decoder is WebAssembly, which the module route does
 * not serve). */
export function modelViewerHtml(modelUrl: string, title: string): string {
  const m = VIEWER_MODULES_PREFIX;
  const imports = { three: `${m}/three/build/three.module.js`, "three/addons/": `${m}/three/examples/jsm/` };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>html,body{margin:0;height:100%;background:#1b1d21;color:#ddd;font:13px system-ui,sans-serif;overflow:hidden}
#info{position:absolute;left:.8rem;top:.6rem}#info a{color:#8cf}</style>
<script type="importmap">${JSON.stringify({ imports })}</script>
</head><body>
<div id="info"><a href="/">dashboard</a> · ${esc(title)} · <span id="status" role="status">loading…</span></div>
<script type="module">
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { MeshoptDecoder } from "three/addons/libs/meshopt_decoder.module.js";

const state = window.vs3dViewer = { loaded: false, meshes: 0, triangles: 0, error: null };
const status = document.getElementById("status");
const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
renderer.setPixelRatio(window.devicePixelRatio);
renderer.setSize(window.innerWidth, window.innerHeight);
document.body.appendChild(renderer.domElement);
const scene = new THREE.Scene();
scene.background = new THREE.Color(0x1b1d21);
scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 2.5));
const sun = new THREE.DirectionalLight(0xffffff, 2);
sun.position.set(1, 2, 1.5);
scene.add(sun);
const camera = new THREE.PerspectiveCamera(50, window.innerWidth / window.innerHeight, 0.01, 1e6);
const controls = new OrbitControls(camera, renderer.domElement);

const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
// With API_KEYS the page is opened with ?api_key=…; the model request carries it as a header.
const apiKey = new URLSearchParams(location.search).get("api_key");
if (apiKey) loader.setRequestHeader({ "x-api-key": apiKey });
loader.load(${JSON.stringify(modelUrl)}, (gltf) => {
  const model = gltf.scene;
  scene.add(model);
  model.traverse((o) => {
    if (!o.isMesh) return;
    state.meshes++;
    const g = o.geometry;
    state.triangles += (g.index ? g.index.count : g.attributes.position.count) / 3;
  });
  const box = new THREE.Box3().setFromObject(model);
  const size = box.getSize(new THREE.Vector3()).length() || 1;
  const centre = box.getCenter(new THREE.Vector3());
  controls.target.copy(centre);
  camera.position.copy(centre).add(new THREE.Vector3(0.6, 0.45, 0.8).multiplyScalar(size));
  camera.near = size / 1000; camera.far = size * 100; camera.updateProjectionMatrix();
  controls.update();
  state.loaded = true;
  status.textContent = state.meshes + " mesh(es), " + Math.round(state.triangles).toLocaleString() + " triangles";
}, undefined, (error) => {
  state.error = String(error?.message ?? error);
  status.textContent = "error: " + state.error;
});

function frame() {
  requestAnimationFrame(frame);
  controls.update();
  renderer.render(scene, camera);
}
frame();
window.addEventListener("resize", () => {
  camera.aspect = window.innerWidth / window.innerHeight; camera.updateProjectionMatrix();
  renderer.setSize(window.innerWidth, window.innerHeight);
});
</script></body></html>`;
}

/** `GET /tasks/:id/model/<path>`: a page showing one GLB output of the task (404 when the path is
 * not a recorded GLB of it). Registered after the id and tenant checks of /tasks/:id/*. */
export function registerModelViewerPage(app: Hono, deps: { store: EventStore }): void {
  app.get("/tasks/:id/model/*", async (c) => {
    const id = c.req.param("id").toLowerCase();
    const prefix = `/tasks/${c.req.param("id")}/model/`;
    let path: string;
    try {
      path = decodeURIComponent(c.req.path.slice(prefix.length));
    } catch {
      path = "";
    }
    const recorded = await recordedOutputs(deps.store, id);
    const model = recorded?.outputs.find((o) => o.path === path && o.format === "glb");
    if (!model) return c.json({ error: { code: "NOT_FOUND", message: `task ${id} has no GLB output ${path}` } }, 404);
    const url = `/tasks/${id}/files/${model.path.split("/").map(encodeURIComponent).join("/")}`;
    return c.html(modelViewerHtml(url, `${model.path} of task ${id}`));
  });
}
