/** GET /docs: the OpenAPI document rendered in the browser with no external assets (the service
 * may run where there is no internet): operations, parameters, responses, and every schema. */
export function apiDocsHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vision S3D Converter — HTTP API</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.op{border:1px solid #dde;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}
.m{display:inline-block;min-width:4rem;font-weight:600;text-transform:uppercase}
.get{color:#0a6}.post{color:#06c}code,pre{font:12px ui-monospace,monospace}pre{background:#f6f7f9;padding:.6rem;overflow:auto;max-height:24rem}
td{padding:.1rem .6rem;vertical-align:top}
</style></head><body>
<h1 id="title">HTTP API</h1><p id="desc"></p><p><a href="/openapi.json">openapi.json</a></p>
<h2>Operations</h2><div id="ops"></div><h2>Schemas</h2><div id="schemas"></div>
<script type="module">
const doc = await (await fetch("/openapi.json")).json();
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;
document.getElementById("desc").textContent = doc.info.description ?? "";
const refName = (s) => s && s.$ref ? s.$ref.split("/").pop() : null;
const ops = [];
for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
  const params = (op.parameters ?? []).map((p) => "<tr><td><code>" + esc(p.name) + "</code> (" + esc(p.in) + ")</td><td>" + esc(p.description ?? p.schema?.type) + "</td></tr>").join("");
  const body = op.requestBody ? Object.values(op.requestBody.content).map((c) => refName(c.schema)).filter(Boolean) : [];
  const responses = Object.entries(op.responses).map(([code, r]) => {
    const schema = r.content ? Object.values(r.content).map((c) => refName(c.schema) ?? refName(c["x-event-data"])).filter(Boolean)[0] : null;
    return "<tr><td><b>" + esc(code) + "</b></td><td>" + esc(r.description) + (schema ? ' — <a href="#schema-' + esc(schema) + '">' + esc(schema) + "</a>" : "") + "</td></tr>";
  }).join("");
  ops.push('<div class="op" data-operation="' + esc(op.operationId) + '"><span class="m ' + method + '">' + method + "</span> <code>" + esc(path) + "</code> — " + esc(op.summary) +
    (op.description ? "<p>" + esc(op.description) + "</p>" : "") + (params ? "<table>" + params + "</table>" : "") +
    (body.length ? '<p>Body: <a href="#schema-' + esc(body[0]) + '">' + esc(body[0]) + "</a></p>" : "") + "<table>" + responses + "</table></div>");
}
document.getElementById("ops").innerHTML = ops.join("");
document.getElementById("schemas").innerHTML = Object.entries(doc.components.schemas)
  .map(([name, s]) => '<h3 id="schema-' + esc(name) + '">' + esc(name) + "</h3><pre>" + esc(JSON.stringify(s, null, 2)) + "</pre>").join("");
</script></body></html>`;
}
