import { Hono, type Context, type MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, Histogram, type Registry } from "prom-client";

/** Route label of a request nothing but catch-all middleware matched (a 404): raw paths would make
 * one series per URL anyone cares to try. */
export const UNMATCHED_ROUTE = "unmatched";

/** The route pattern that handles the request (`/tasks/:id`), never the raw path: the last matched
 * route registered for a method, since `*` middleware (access, CORS) matches every request. */
export function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== "ALL") return routes[i]!.path;
  return UNMATCHED_ROUTE;
}

/** Counts every request by method, route and status, and times it to its response headers (an SSE
 * stream's life is not its latency). Registered first, so refusals by later middleware count too. */
export function httpMetricsMiddleware(registry: Registry): MiddlewareHandler {
  const requests = new Counter({ name: "vs3d_http_requests_total", help: "HTTP requests by method, route pattern and status code", labelNames: ["method", "route", "status"], registers: [registry] });
  const duration = new Histogram({
    name: "vs3d_http_request_duration_seconds",
    help: "Time from a request to its response headers, by method and route pattern",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const labels = { method: c.req.method, route: routeLabel(c) };
      requests.inc({ ...labels, status: String(c.res.status) });
      duration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}

/** The service's app behind the metrics middleware, so the app itself needs no change to be measured. */
export function withHttpMetrics(app: Hono, registry: Registry): Hono {
  return new Hono().use("*", httpMetricsMiddleware(registry)).route("/", app);
}
