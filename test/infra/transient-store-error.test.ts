import assert from "node:assert/strict";
import { test } from "node:test";
import { isTransientStoreError } from "../../src/infra/event-store/transient-store-error.ts";
import { RevisionConflictError } from "../../src/ports/revision-conflict.error.ts";
import { AppError } from "../../src/contracts/app-error.ts";

test("connection failures and server restarts are transient; conflicts, refused events and SQL errors are not", () => {
  const transient = [
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    new Error("Connection terminated unexpectedly"),
    Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
    Object.assign(new Error("the database system is starting up"), { code: "57P03" }),
    Object.assign(new Error("connection failure"), { code: "08006" }),
    new Error("wrapped", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }),
    Object.assign(new Error("14 UNAVAILABLE: No connection established"), { name: "UnavailableError" }),
  ];
  for (const e of transient) assert.equal(isTransientStoreError(e), true, e.message);
  const answers = [
    new RevisionConflictError("task-1", 3, 4),
    new AppError("INVALID_APPEND", "unsupported Unicode escape sequence"),
    Object.assign(new Error('syntax error at or near "SELEC"'), { code: "42601" }),
    Object.assign(new Error("duplicate key value"), { code: "23505" }),
  ];
  for (const e of answers) assert.equal(isTransientStoreError(e), false, e.message);
});
