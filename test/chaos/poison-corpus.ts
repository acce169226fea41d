import { platformTaskMessage } from "../helpers/platform-stack.ts";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { buildZip } from "../archive/zip-builder.ts";
import type { ChaosStack } from "./chaos-stack.ts";
import { textOf } from "../../src/shared/text-of.ts";

/** How a poison message must end. `dlq`: in tasks.dlq with this code (and a failed result when a
 * task_id is readable and `result` says so); `result`: a failed result with this code (a task that
 * was accepted and failed); `settled`: its stream ends failed or completed (its results go to a
 * callback queue the platform cannot read); `duplicate`: nothing new happens to the task it copies. */
export type PoisonExpect = { kind: "dlq"; code: string; result: boolean } | { kind: "result"; code: string } | { kind: "settled" } | { kind: "duplicate"; of: string };

export interface Poison {
  name: string;
  routingKey: string;
  body: Buffer;
  /** The task_id the service can read from it (lowercase), when there is one. */
  taskId: string | null;
  expect: PoisonExpect;
  /** Also sent over HTTP (POST /tasks) to node a, with this status class expected. */
  http?: "4xx" | "accepted";
}

const text = (v: unknown) => Buffer.from(JSON.stringify(v));

/** Uploads what the input-level cases read, then builds the corpus for one tenant. `completed` is a
 * task of the run that completed: the conflict and uppercase cases copy it. */
export async function poisonCorpus(stack: ChaosStack, tenant: string, completed: Record<string, unknown> & { task_id: string }): Promise<Poison[]> {
  const files = `tenants/${tenant}/files/`;
  const scratch = join(stack.root, "poison");
  await import("node:fs/promises").then((fs) => fs.mkdir(scratch, { recursive: true }));
  const put = async (name: string, bytes: Buffer | string) => {
    const path = join(scratch, name);
    await writeFile(path, bytes);
    await stack.storage.upload("in", `${files}${name}`, path);
  };
  await put("empty.xyz", "");
  await put("garbage.xyz", Array.from({ length: 200 }, (_, i) => (i % 2 ? `${i} ${i} ${i}` : `junk ${i} !`)).join("\n"));
  await put(
    "long-name.zip",
    buildZip([
      { name: "ok.txt", data: "ok\n" },
      { name: "n".repeat(5000), data: "x\n" },
    ]),
  );
  await put("huge.png", pngHeader(2 ** 31 - 1, 2 ** 31 - 1));

  const msg = (overrides: Record<string, unknown> = {}) => platformTaskMessage(tenant, stack.platform.callbackQueue, { params: { sizes: [64] }, ...overrides });
  const invalid = (name: string, body: Record<string, unknown>, extra: Partial<Poison> = {}): Poison => ({
    name,
    routingKey: textOf(body.task_type ?? "image_thumbnail"),
    body: text(body),
    taskId: String(body.task_id).toLowerCase(),
    expect: { kind: "dlq", code: "INVALID_MESSAGE", result: true },
    http: "4xx",
    ...extra,
  });
  const failsWith = (name: string, code: string, body: Record<string, unknown>): Poison => ({
    name,
    routingKey: String(body.task_type),
    body: text(body),
    taskId: String(body.task_id),
    expect: { kind: "result", code },
    http: "accepted",
  });
  const deep = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
  const deepMsg = msg();

  return [
    {
      name: "not JSON",
      routingKey: "image_thumbnail",
      body: Buffer.from(`{"task_id": "${randomUUID()}", oops`),
      taskId: null,
      expect: { kind: "dlq", code: "INVALID_MESSAGE", result: false },
      http: "4xx",
    },
    { name: "not UTF-8", routingKey: "image_thumbnail", body: Buffer.from([0xff, 0xfe, 0x7b, 0x00]), taskId: null, expect: { kind: "dlq", code: "INVALID_MESSAGE", result: false }, http: "4xx" },
    invalid("NUL in an unknown params key", msg({ params: { sizes: [64], "k\u0000": 1 } })),
    invalid("NUL in source.bucket", msg({ source: { bucket: "in\u0000", key: `${files}photo.jpg` } })),
    invalid("NUL in source.format", msg({ source: { bucket: "in", key: `${files}photo.jpg`, format: "jpg\u0000" } })),
    invalid("lone surrogate in params", msg({ params: { sizes: [64], note: "\udfff" } })),
    { ...invalid("params nested 5 000 deep", deepMsg), body: Buffer.from(JSON.stringify({ ...deepMsg, params: "@" }).replace('"@"', deep)) },
    {
      name: "a 5 MB message",
      routingKey: "image_thumbnail",
      body: text(msg({ params: { sizes: [64], pad: "x".repeat(5 * 2 ** 20) } })),
      taskId: null,
      expect: { kind: "dlq", code: "INVALID_MESSAGE", result: false },
      http: "4xx",
    },
    invalid("unknown task type", msg({ task_type: "hologram_render" })),
    invalid("attempt 5 of max 3", msg({ retry: { attempt: 5, max_attempts: 3 } })),
    invalid("another task's progress channel", msg({ webhook: { callback_queue: stack.platform.callbackQueue, progress_channel: `task:${randomUUID()}:progress` } })),
    invalid("a key that climbs", msg({ destination: { bucket: "out", base_key: "../../etc/" } })),
    failsWith("params as an array", "INVALID_PARAMS", msg({ params: [64, 128] })),
    failsWith("archive_compress of the whole bucket", "INVALID_PARAMS", msg({ task_type: "archive_compress", params: { format: "zip", source_prefix: "" } })),
    failsWith("archive_compress of another tenant", "DESTINATION_OUTSIDE_PREFIX", msg({ task_type: "archive_compress", params: { format: "zip", source_prefix: `tenants/${randomUUID()}/` } })),
    failsWith("archive_extract raising max_ratio", "INVALID_PARAMS", msg({ task_type: "archive_extract", source: { bucket: "in", key: `${files}long-name.zip` }, params: { max_ratio: 1000 } })),
    failsWith("target_srs EPSG:999999", "INVALID_PARAMS", msg({ task_type: "geotiff_cog", source: { bucket: "in", key: `${files}raster.tif` }, params: { target_srs: "EPSG:999999" } })),
    failsWith("geotiff_resize to 63 000 px", "INPUT_TOO_LARGE", msg({ task_type: "geotiff_resize", source: { bucket: "in", key: `${files}raster.tif` }, params: { width: 63_000 } })),
    failsWith("an empty .xyz", "INPUT_EMPTY", msg({ task_type: "point_cloud_convert", source: { bucket: "in", key: `${files}empty.xyz` }, params: { output_format: "las" } })),
    failsWith("a garbage .xyz", "INPUT_CORRUPT", msg({ task_type: "point_cloud_convert", source: { bucket: "in", key: `${files}garbage.xyz` }, params: { output_format: "las" } })),
    failsWith("a 5 000-character zip entry name", "UNSAFE_ARCHIVE", msg({ task_type: "archive_extract", source: { bucket: "in", key: `${files}long-name.zip` } })),
    failsWith("a PNG header of 2³¹ × 2³¹ px", "INPUT_TOO_LARGE", msg({ source: { bucket: "in", key: `${files}huge.png` } })),
    failsWith("a source that does not exist", "INPUT_NOT_FOUND", msg({ source: { bucket: "in", key: `${files}nope.jpg` } })),
    // Callback queues the service must not bind (issue 16, defects 2 and 4): whatever the service does
    // with them, the task ends, and later tasks still get their results (checked after the corpus).
    { name: "callback_queue amq.evil", routingKey: "image_thumbnail", ...settled(msg({ webhook: { callback_queue: "amq.evil" } })) },
    { name: "callback_queue tasks.light", routingKey: "image_thumbnail", ...settled(msg({ webhook: { callback_queue: "tasks.light" } })) },
    { name: "callback_queue of 300 characters", routingKey: "image_thumbnail", ...settled(msg({ webhook: { callback_queue: "q".repeat(300) } })) },
    {
      name: "the same task_id with another body",
      routingKey: "image_thumbnail",
      body: text({ ...completed, params: { sizes: [999] } }),
      taskId: completed.task_id,
      expect: { kind: "dlq", code: "INVALID_MESSAGE", result: false },
    },
    {
      name: "an uppercase copy of a completed task",
      routingKey: String(completed.task_type),
      body: text({ ...completed, task_id: completed.task_id.toUpperCase() }),
      taskId: completed.task_id,
      expect: { kind: "duplicate", of: completed.task_id },
    },
  ];
}

function settled(body: Record<string, unknown>): Pick<Poison, "body" | "taskId" | "expect"> {
  return { body: text(body), taskId: String(body.task_id), expect: { kind: "settled" } };
}

function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.alloc(64))), chunk("IEND", Buffer.alloc(0))]);
}

/** CLI cases: `vs3d process` on a local file; each must print a result line with this code and exit
 * 1 (a failed task) or 2 (a message that never became a task), never a stack trace. */
export interface CliPoison {
  name: string;
  file: string;
  type: string;
  params: string;
  code: string;
}

export async function cliCorpus(dir: string, photo: string, raster: string): Promise<CliPoison[]> {
  const empty = join(dir, "empty.xyz");
  await writeFile(empty, "");
  const longZip = join(dir, "long.zip");
  await writeFile(longZip, buildZip([{ name: "l".repeat(5000), data: "x\n" }]));
  return [
    { name: "NUL in a params key", file: photo, type: "image_thumbnail", params: '{"sizes":[64],"x\\u0000":1}', code: "INVALID_MESSAGE" },
    { name: "params nested 2 000 deep", file: photo, type: "image_thumbnail", params: `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`, code: "INVALID_MESSAGE" },
    { name: "params as an array", file: photo, type: "image_thumbnail", params: "[64]", code: "INVALID_PARAMS" },
    { name: "unknown task type", file: photo, type: "hologram_render", params: "{}", code: "INVALID_MESSAGE" },
    { name: "an empty .xyz", file: empty, type: "point_cloud_convert", params: '{"output_format":"las"}', code: "INPUT_EMPTY" },
    { name: "target_srs EPSG:999999", file: raster, type: "geotiff_cog", params: '{"target_srs":"EPSG:999999"}', code: "INVALID_PARAMS" },
    { name: "a 5 000-character zip entry name", file: longZip, type: "archive_extract", params: "{}", code: "UNSAFE_ARCHIVE" },
    { name: "geotiff_resize to 63 000 px", file: raster, type: "geotiff_resize", params: '{"width":63000}', code: "INPUT_TOO_LARGE" },
  ];
}
