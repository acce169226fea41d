// Talks to the service. With API_KEYS configured every call carries the key as X-API-Key: the key
// lives in this tab's sessionStorage (gone when the tab closes) and never goes into a URL, so the
// live stream is read with fetch (EventSource cannot send headers).

const KEY = "vs3d.apiKey";
const listeners = new Set();

export const apiKey = {
  get: () => sessionStorage.getItem(KEY) ?? "",
  set(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
    for (const l of listeners) l();
  },
  onChange: (fn) => listeners.add(fn),
};

function headers(extra = {}) {
  const key = apiKey.get();
  return key ? { ...extra, "x-api-key": key } : extra;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** JSON in, JSON out; a non-2xx answer throws ApiError with the service's code and message. */
export async function api(path, { method = "GET", body } = {}) {
  const init = { method, headers: headers(body === undefined ? {} : { "content-type": "application/json" }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? `HTTP_${res.status}`, data?.error?.message ?? res.statusText);
  return data;
}

/** A file of a task as a URL the page can use: the plain path without a key, else a blob fetched
 * with the key (an <img> or a link cannot send headers). */
const blobs = new Map();
export async function fileUrl(path) {
  if (!apiKey.get()) return path;
  if (!blobs.has(path)) {
    blobs.set(
      path,
      fetch(path, { headers: headers() }).then(async (r) => {
        if (!r.ok) throw new ApiError(r.status, `HTTP_${r.status}`, `could not load ${path}`);
        return URL.createObjectURL(await r.blob());
      }),
    );
  }
  return blobs.get(path);
}

/** Reads the SSE stream at `path` and calls onEvent(type, data) per event; reconnects after a drop.
 * Returns a function that stops it. onStatus gets "live", "reconnecting" or "unauthorized". */
export function live(path, onEvent, onStatus) {
  let controller = new AbortController();
  let stopped = false;
  async function run() {
    while (!stopped) {
      try {
        const res = await fetch(path, { headers: headers({ accept: "text/event-stream" }), signal: controller.signal });
        if (res.status === 401) {
          onStatus("unauthorized");
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onStatus("live");
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let type = "message";
            const data = [];
            for (const line of block.split("\n")) {
              if (line.startsWith("event:")) type = line.slice(6).trim();
              else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
            }
            if (data.length) onEvent(type, JSON.parse(data.join("\n")));
          }
        }
      } catch (error) {
        if (stopped || controller.signal.aborted) return;
      }
      onStatus("reconnecting");
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  void run();
  return () => {
    stopped = true;
    controller.abort();
    controller = new AbortController();
  };
}
