import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createS3Storage } from "../../src/infra/storage/s3-storage.ts";
import { startS3rver } from "../helpers/s3rver.ts";

/** A TCP proxy that cuts its first connection after `cutAfter` response bytes: what a flaky link
 * does to a multi-GB download half-way through. */
async function startCuttingProxy(target: number, cutAfter: number) {
  let connections = 0;
  let bytesToClient = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const first = connections++ === 0;
    let sent = 0;
    const upstream = createConnection(target, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      sent += chunk.length;
      bytesToClient += chunk.length;
      client.write(chunk);
      if (first && sent > cutAfter) {
        client.destroy();
        upstream.destroy();
      }
    });
    const end = () => (client.destroy(), upstream.destroy());
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    bytesToClient: () => bytesToClient,
    connections: () => connections,
    stop: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

test("a download cut half-way resumes where it stopped and still yields the exact bytes", async () => {
  const server = await startS3rver(["uploads"]);
  const dir = await mkdtemp(join(tmpdir(), "vs3d-s3-resume-"));
  const size = 12 * 1024 * 1024;
  const proxy = await startCuttingProxy(Number(new URL(server.endpoint).port), 4 * 1024 * 1024);
  const direct = createS3Storage(server.clientOptions);
  const flaky = createS3Storage({ ...server.clientOptions, endpoint: `http://127.0.0.1:${proxy.port}`, retryBaseDelayMs: 10 });
  try {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) bytes.writeUInt32LE(i, i);
    await writeFile(join(dir, "src.bin"), bytes);
    await direct.upload("uploads", "scans/big.las", join(dir, "src.bin"));

    const dest = join(dir, "out", "big.las");
    assert.deepEqual(await flaky.download("uploads", "scans/big.las", dest), { size });
    assert.ok((await readFile(dest)).equals(bytes), "downloaded bytes differ");
    assert.ok(proxy.connections() >= 2, "the cut connection was not retried");
    // A restart from zero would move ≥ 16 MiB; resuming moves the object once plus headers.
    assert.ok(proxy.bytesToClient() < size + 1024 * 1024, `moved ${proxy.bytesToClient()} bytes for a ${size}-byte object`);
  } finally {
    direct.client.destroy();
    flaky.client.destroy();
    await proxy.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
