import { test } from "node:test";
import assert from "node:assert/strict";
import { assertUnderPrefix, joinKey, resolveTenantPrefix } from "../../src/storage-rules/key-policy.ts";

const tenant = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9";

test("a tenant prefix template is filled with the tenant id", () => {
  assert.equal(resolveTenantPrefix("tenants/{tenant_id}/", tenant), `tenants/${tenant}/`);
  assert.equal(resolveTenantPrefix("shared/", tenant), "shared/");
  assert.equal(resolveTenantPrefix("", tenant), "");
});

test("a tenant id that would widen the prefix is refused", () => {
  for (const id of ["a/../b", "..", "a/b", "", "x\0"]) {
    assert.throws(() => resolveTenantPrefix("tenants/{tenant_id}/", id), { code: "DESTINATION_OUTSIDE_PREFIX" }, id);
  }
});

test("keys under the prefix pass; keys of another tenant or that climb are DESTINATION_OUTSIDE_PREFIX", () => {
  const prefix = `tenants/${tenant}/`;
  assert.equal(assertUnderPrefix(`${prefix}processed/scan/lod0.laz`, prefix), `${prefix}processed/scan/lod0.laz`);
  const refused = ["tenants/other/processed/x.laz", `${prefix}../other/x.laz`, `${prefix}a/../../other/x`, `/${prefix}x`, `${prefix}a\\..\\..\\x`, prefix, `tenants/${tenant}x/evil`];
  for (const key of refused) {
    assert.throws(
      () => assertUnderPrefix(key, prefix),
      (e: unknown) => {
        assert.equal((e as { code?: string }).code, "DESTINATION_OUTSIDE_PREFIX", key);
        assert.match((e as Error).message, /refused/);
        return true;
      },
    );
  }
});

test("an empty prefix admits any safe key but still no climbing", () => {
  assert.equal(assertUnderPrefix("a/b.txt", ""), "a/b.txt");
  assert.throws(() => assertUnderPrefix("../b.txt", ""), { code: "DESTINATION_OUTSIDE_PREFIX" });
});

test("an output path is joined to the base key and may not leave it", () => {
  assert.equal(joinKey("tenants/a/processed/scan/", "lod/0.laz"), "tenants/a/processed/scan/lod/0.laz");
  assert.equal(joinKey("tenants/a/processed/scan", "x.glb"), "tenants/a/processed/scan/x.glb");
  assert.throws(() => joinKey("tenants/a/processed/scan/", "../../../b/secret"), { code: "DESTINATION_OUTSIDE_PREFIX" });
  assert.throws(() => joinKey("tenants/a/processed/scan/", ""), { code: "DESTINATION_OUTSIDE_PREFIX" });
});
