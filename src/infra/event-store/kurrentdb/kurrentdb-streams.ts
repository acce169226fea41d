/** Which streams the port sees. KurrentDB has system streams (`$…`: `$ce-task`, `$stats-…`,
 * metadata streams `$$…`) and this adapter keeps its own bookkeeping in ordinary streams under an
 * internal prefix (projection checkpoints, leadership leases: system streams would need admin
 * rights to write). Neither belongs to the application's view of the store: a projection reading
 * everything would otherwise see its own checkpoint writes and wake itself up forever.
 *
 * A namespace (like the SQL adapter's schema) prefixes every stream id on the server, so several
 * deployments or test runs can share one server; the port never sees it. Task streams stay
 * `<namespace>task-<id>`, so with an empty namespace `$ce-task` lists every task. */

export const INTERNAL_STREAM_PREFIX = "vs3d-";

export const checkpointStream = (internalPrefix: string, name: string): string => `${internalPrefix}checkpoint-${name}`;
export const leaseStream = (internalPrefix: string, name: string): string => `${internalPrefix}lease-${name}`;

/** What to ask the server for: a literal prefix when the caller gave one, else a regex that hides
 * system and internal streams (the server evaluates it with .NET regex, which has lookahead). */
export type StreamSelection = { prefixes: string[] } | { regex: string };

export interface StreamScope {
  /** Server-side prefix of every stream id; "" for none. */
  namespace: string;
  internalPrefix: string;
}

export function checkScope(scope: StreamScope): void {
  if (scope.namespace.startsWith("$")) throw new RangeError(`KurrentDB namespace ${JSON.stringify(scope.namespace)} must not start with "$" (system streams)`);
}

/** The id on the server of the port's `streamId`. */
export const serverId = (scope: StreamScope, streamId: string): string => scope.namespace + streamId;

/** The port's id of a server stream id (which is visible, so it carries the namespace). */
export const portId = (scope: StreamScope, serverStreamId: string): string => serverStreamId.slice(scope.namespace.length);

export function streamSelection(scope: StreamScope, prefix: string | undefined): StreamSelection {
  if (prefix !== undefined && prefix.length > 0) return { prefixes: [scope.namespace + prefix] };
  const hidden = scope.internalPrefix.length > 0 ? `(?!${escapeRegex(scope.internalPrefix)})` : "";
  return scope.namespace.length > 0 ? { regex: `^${escapeRegex(scope.namespace)}${hidden}` } : { regex: `^(?!\\$)${hidden}` };
}

/** The same rule applied to what came back, so a server that filters differently cannot leak
 * system or bookkeeping events into the port. */
export function isVisible(scope: StreamScope, serverStreamId: string, prefix: string | undefined): boolean {
  if (!serverStreamId.startsWith(scope.namespace)) return false;
  const id = portId(scope, serverStreamId);
  if (prefix !== undefined && prefix.length > 0) return id.startsWith(prefix);
  return !serverStreamId.startsWith("$") && !(scope.internalPrefix.length > 0 && id.startsWith(scope.internalPrefix));
}

/** Stream ids each once, in order of first appearance: a scan of `$all` meets each stream's first
 * event first, so this is creation order — what listStreams promises. */
export function distinctStreamIds(streamIds: Iterable<string>): string[] {
  return [...new Set(streamIds)];
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|#\s-]/g, (c) => `\\${c}`);
}
