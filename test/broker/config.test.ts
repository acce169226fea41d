import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadWeights } from "../../src/broker/weights-config.ts";
import { AppError } from "../../src/contracts/app-error.ts";
import { parseCpuMax, parseMemoryLimit, readNodeCapacity } from "../../src/broker/node-capacity.ts";

const dir = mkdtempSync(join(tmpdir(), "broker-config-"));

void test("weights: defaults, then the file, then VS3D_BROKER_WEIGHTS, merged per field", () => {
  const file = join(dir, "weights.json");
  writeFileSync(file, JSON.stringify({ image_thumbnail: { cpu_percent: 10, max_concurrent: 4 }, video_transcode: { ram_gb: 6 } }));
  const t = loadWeights({ env: { VS3D_BROKER_WEIGHTS_FILE: file, VS3D_BROKER_WEIGHTS: '{"image_thumbnail":{"max_concurrent":10}}' } });
  assert.equal(t.image_thumbnail.cpu_percent, 10);
  assert.equal(t.image_thumbnail.max_concurrent, 10);
  assert.equal(t.video_transcode.ram_gb, 6);
  assert.equal(t.video_transcode.cpu_percent, 50);
  assert.equal(t.point_cloud_lod.max_concurrent, 1);
});

void test("weights: bad input is refused with a message naming the problem", () => {
  const bad: Array<[string, RegExp]> = [
    ['{"teleport":{"max_concurrent":1}}', /teleport/],
    ['{"image_thumbnail":{"max_concurent":1}}', /max_concurent/],
    ['{"image_thumbnail":{"cpu_percent":140}}', /cpu_percent/],
    ['{"image_thumbnail":{"max_concurrent":0}}', /max_concurrent/],
    ["{nope", /not JSON/],
  ];
  for (const [json, message] of bad) {
    assert.throws(
      () => loadWeights({ env: { VS3D_BROKER_WEIGHTS: json } }),
      (e: unknown) => e instanceof AppError && message.test(e.message),
      json,
    );
  }
  assert.throws(() => loadWeights({ file: join(dir, "missing.json"), env: {} }), /cannot read broker weights file/);
});

void test("capacity: cgroup parsers", () => {
  assert.equal(parseCpuMax("max 100000\n"), undefined);
  assert.equal(parseCpuMax("150000 100000\n"), 1.5);
  assert.equal(parseMemoryLimit("max\n"), undefined);
  assert.equal(parseMemoryLimit("4294967296\n"), 4 * 1024 ** 3);
  assert.equal(parseMemoryLimit("9223372036854771712\n"), undefined);
});

void test("capacity: a cgroup v2 limit below the host wins, v1 is the fallback, else the host", () => {
  const v2 = join(dir, "v2");
  mkdirSync(join(v2, "svc"), { recursive: true });
  writeFileSync(join(v2, "svc", "cpu.max"), "150000 100000\n");
  writeFileSync(join(v2, "svc", "memory.max"), String(8 * 1024 ** 3));
  assert.deepEqual(readNodeCapacity({ cgroupRoot: v2, procSelfCgroup: "0::/svc\n", hostCores: 8, hostRamBytes: 32 * 1024 ** 3 }), {
    cores: 1.5,
    ramBytes: 8 * 1024 ** 3,
    source: { cpu: "cgroup2", ram: "cgroup2" },
  });

  const v1 = join(dir, "v1");
  mkdirSync(join(v1, "cpu"), { recursive: true });
  mkdirSync(join(v1, "memory", "job"), { recursive: true });
  writeFileSync(join(v1, "cpu", "cpu.cfs_quota_us"), "200000\n");
  writeFileSync(join(v1, "cpu", "cpu.cfs_period_us"), "100000\n");
  writeFileSync(join(v1, "memory", "job", "memory.limit_in_bytes"), String(2 * 1024 ** 3));
  assert.deepEqual(readNodeCapacity({ cgroupRoot: v1, procSelfCgroup: "4:memory:/job\n2:cpu,cpuacct:/\n", hostCores: 8, hostRamBytes: 32 * 1024 ** 3 }), {
    cores: 2,
    ramBytes: 2 * 1024 ** 3,
    source: { cpu: "cgroup1", ram: "cgroup1" },
  });

  assert.deepEqual(readNodeCapacity({ cgroupRoot: join(dir, "none"), procSelfCgroup: "", hostCores: 2, hostRamBytes: 1024 }), { cores: 2, ramBytes: 1024, source: { cpu: "host", ram: "host" } });
});
