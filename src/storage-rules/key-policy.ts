import { AppError } from "../contracts/app-error.ts";

/** Key rules shared by every storage adapter and by whoever builds destination keys. Object stores
 * treat keys as opaque strings, but a local directory and every downstream tool that mirrors keys to
 * paths do not, so a key that climbs (`..`), is absolute, or hides a separator is refused outright. */

const TENANT_PLACEHOLDER = "{tenant_id}";

/** Why `key` is not a safe relative key, or null when it is. */
export function unsafeKeyReason(key: string): string | null {
  if (key.length === 0) return "is empty";
  if (key.length > 1024) return "is longer than 1024 characters";
  if (key.startsWith("/")) return "is absolute";
  if (key.includes("\\")) return "contains a backslash";
  if (key.includes("\0")) return "contains a NUL";
  if (key.split("/").some((seg) => seg === ".." || seg === ".")) return "contains a '.' or '..' segment";
  return null;
}

/** Returns `key` when it is a safe relative key; else DESTINATION_OUTSIDE_PREFIX. Every adapter calls it,
 * so a key that works on S3 also works on the local directory and vice versa. */
export function assertSafeKey(key: string): string {
  const reason = unsafeKeyReason(key);
  if (reason !== null) throw new AppError("DESTINATION_OUTSIDE_PREFIX", `key ${JSON.stringify(key)} is refused: it ${reason}`, { details: { key } });
  return key;
}

/** Returns `key` when it is safe and starts with `prefix`; else DESTINATION_OUTSIDE_PREFIX. An empty
 * prefix allows any safe key. A prefix is a folder: "tenants/a/" does not admit "tenants/ab/x". */
export function assertUnderPrefix(key: string, prefix: string): string {
  const reason = unsafeKeyReason(key);
  if (reason !== null) throw outside(key, prefix, `the key ${reason}`);
  if (prefix !== "") {
    const folder = asFolder(prefix);
    if (!key.startsWith(folder) || key.length === folder.length) throw outside(key, prefix, `it is not under ${JSON.stringify(folder)}`);
  }
  return key;
}

/** `baseKey + relativePath`, refused if the result would leave baseKey (e.g. a processor output path
 * with `..`). */
export function joinKey(baseKey: string, relativePath: string): string {
  const folder = asFolder(baseKey);
  return assertUnderPrefix(folder + relativePath, folder);
}

/** Fills `{tenant_id}` in a TENANT_PREFIX template. The tenant id comes from a message, so it must be
 * one plain segment: "a/../b" would otherwise widen the prefix to another tenant's objects. */
export function resolveTenantPrefix(template: string, tenantId: string): string {
  if (template.includes(TENANT_PLACEHOLDER) && !/^[A-Za-z0-9_-]{1,128}$/.test(tenantId)) {
    throw new AppError("DESTINATION_OUTSIDE_PREFIX", `tenant id ${JSON.stringify(tenantId)} cannot be used in a key prefix`);
  }
  const prefix = template.split(TENANT_PLACEHOLDER).join(tenantId);
  const reason = prefix === "" ? null : unsafeKeyReason(prefix);
  if (reason !== null) throw new AppError("DESTINATION_OUTSIDE_PREFIX", `tenant prefix ${JSON.stringify(prefix)} ${reason}`);
  return asFolder(prefix);
}

/** A key prefix read as a folder: "a/b" and "a/b/" both become "a/b/", so "a/bc" is not under it.
 * The empty prefix (the whole bucket) stays empty. */
export function asFolder(prefix: string): string {
  return prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
}

/** Longest `/`-ending prefix shared by all keys: `t/a/x`, `t/a/b/y` → `t/a/`. */
export function commonKeyPrefix(keys: readonly string[]): string {
  if (keys.length === 0) return "";
  let prefix = keys[0]!.slice(0, keys[0]!.lastIndexOf("/") + 1);
  for (const key of keys) {
    while (!key.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf("/") + 1);
  }
  return prefix;
}

function outside(key: string, prefix: string, why: string): AppError {
  return new AppError("DESTINATION_OUTSIDE_PREFIX", `key ${JSON.stringify(key)} is refused: ${why}`, { details: { key, prefix } });
}
