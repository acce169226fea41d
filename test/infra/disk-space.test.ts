import { test } from "node:test";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { assertFreeDisk, freeBytes } from "../../src/infra/storage/disk-space.ts";

test("a transfer larger than the free disk is INSUFFICIENT_DISK, recoverable, with the numbers", async () => {
  const free = await freeBytes(tmpdir());
  assert.ok(free > 0);
  await assertFreeDisk(tmpdir(), 1024, { reserveBytes: 0 });
  await assert.rejects(assertFreeDisk(tmpdir(), free + 1024 ** 3, { reserveBytes: 0 }), (e: unknown) => {
    const error = e as { code: string; recoverable: boolean; message: string };
    assert.equal(error.code, "INSUFFICIENT_DISK");
    assert.equal(error.recoverable, true);
    assert.match(error.message, /MiB free/);
    return true;
  });
});
