// Preloaded into a process (and, through execArgv, its worker threads) to prove it never uses the
// network: every way out — fetch, http(s).request/get, net/tls connect, dns — throws and is logged.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import dns from "node:dns";
import { appendFileSync } from "node:fs";

const log = process.env.VS3D_NETWORK_LOG;
const refuse =
  (what) =>
  (...args) => {
    if (log && args[0] !== "guard-check") appendFileSync(log, `${what} ${String(args[0]).slice(0, 200)}\n`);
    throw new Error(`network access refused in this test: ${what}`);
  };
globalThis.fetch = refuse("fetch");
for (const [name, mod] of [
  ["http", http],
  ["https", https],
]) {
  mod.request = refuse(`${name}.request`);
  mod.get = refuse(`${name}.get`);
}
net.connect = net.createConnection = refuse("net.connect");
tls.connect = refuse("tls.connect");
dns.lookup = refuse("dns.lookup");
