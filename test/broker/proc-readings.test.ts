import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { busyPercent, cpuTimesOf, parseMemInfo, parseProcStat } from "../../src/broker/proc-readings.ts";
import { createManualClock } from "../../src/broker/broker-clock.ts";
import { startSystemSampler } from "../../src/broker/system-sampler.ts";

// Real /proc text, copied from this 2-core Debian 12 node (kernel 6.1) and a 4.x kernel.
const STAT_6_1 = `cpu  24629 0 10011 98089 581 0 187 806 0 0
cpu0 12301 0 5003 49100 290 0 120 400 0 0
cpu1 12328 0 5008 48989 291 0 67 406 0 0
intr 4529083 0 9 0 0
ctxt 8234311
btime 1764600000
processes 41234
procs_running 3
procs_blocked 0
softirq 1234 0 1 2 3 4 5 6 7 8`;
const STAT_OLD = `cpu  100 20 30 800 50 0 0
cpu0 100 20 30 800 50 0 0
intr 1`;
const MEMINFO = `MemTotal:       24684084 kB
MemFree:        22904936 kB
MemAvailable:   23768108 kB
Buffers:           52424 kB
Cached:           755372 kB
SwapCached:            0 kB
Active:           324632 kB
Inactive:         974336 kB`;

const statCases: Array<{ name: string; text: string; expected: ReturnType<typeof parseProcStat> }> = [
  { name: "kernel 6.1: busy = user + nice + system + irq + softirq + steal, idle = idle + iowait", text: STAT_6_1, expected: { busy: 24629 + 10011 + 187 + 806, idle: 98089 + 581 } },
  { name: "an old kernel without steal/guest columns", text: STAT_OLD, expected: { busy: 150, idle: 850 } },
  { name: "no aggregate line (the per-cpu ones alone do not count)", text: "cpu0 1 2 3 4\n", expected: undefined },
  { name: "empty (a /proc that cannot be read)", text: "", expected: undefined },
];
for (const c of statCases) test(`/proc/stat: ${c.name}`, () => assert.deepEqual(parseProcStat(c.text), c.expected));

const deltaCases: Array<{ name: string; before: { busy: number; idle: number }; after: { busy: number; idle: number }; expected: number | undefined }> = [
  { name: "a quarter busy", before: { busy: 100, idle: 100 }, after: { busy: 150, idle: 250 }, expected: 25 },
  { name: "all busy", before: { busy: 0, idle: 0 }, after: { busy: 400, idle: 0 }, expected: 100 },
  { name: "no time passed: no figure, not 0 %", before: { busy: 10, idle: 10 }, after: { busy: 10, idle: 10 }, expected: undefined },
  { name: "counters went back: no figure", before: { busy: 500, idle: 500 }, after: { busy: 100, idle: 900 }, expected: undefined },
];
for (const c of deltaCases) test(`busy share between readings: ${c.name}`, () => assert.equal(busyPercent(c.before, c.after), c.expected));

const memCases: Array<{ name: string; text: string; expected: number | undefined }> = [
  { name: "MemTotal − MemAvailable, in bytes", text: MEMINFO, expected: (24684084 - 23768108) * 1024 },
  { name: "a kernel without MemAvailable: no figure (the caller falls back)", text: "MemTotal: 1000 kB\nMemFree: 10 kB\n", expected: undefined },
];
for (const c of memCases) test(`/proc/meminfo: ${c.name}`, () => assert.equal(parseMemInfo(c.text), c.expected));

test("os.cpus() fallback: the same busy/idle split summed over cores", () => {
  const core = (user: number, idle: number) => ({ times: { user, nice: 1, sys: 2, idle, irq: 3 } });
  assert.deepEqual(cpuTimesOf([core(10, 100), core(20, 200)]), { busy: 10 + 20 + 2 + 4 + 6, idle: 300 });
});

test("sampler: the CPU figure is the busy share between two samples' counters, over their interval", async () => {
  const root = await mkdtemp(join(tmpdir(), "vs3d-proc-"));
  try {
    await writeFile(join(root, "meminfo"), MEMINFO);
    await writeFile(join(root, "stat"), "cpu  100 0 0 100 0 0 0 0 0 0\n");
    const clock = createManualClock(10_000);
    const sampler = startSystemSampler({ clock, procRoot: root, intervalMs: 2000 });
    const settled = () => new Promise((r) => setTimeout(r, 50));
    await settled();
    assert.equal(sampler.latest(), undefined, "one reading is no measurement yet");
    await writeFile(join(root, "stat"), "cpu  250 0 0 250 0 0 0 0 0 0\n");
    clock.advance(2000);
    await settled();
    assert.deepEqual(sampler.latest(), { cpuPercent: 50, ramUsedBytes: (24684084 - 23768108) * 1024, at: 12_000, windowMs: 2000 });
    sampler.stop();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
