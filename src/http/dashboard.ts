/** A one-file dashboard: the task list, refreshed, and live progress of a task over SSE. */
export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vision S3D Converter</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:left}th{background:#f4f4f4}
.bar{background:#eee;height:10px;width:160px;border-radius:5px;overflow:hidden}.bar>i{display:block;height:100%;background:#2b7de9}
.completed{color:#17803d}.failed,.dead_lettered{color:#c0262d}.cancelled{color:#777}code{font-size:12px}
</style></head><body>
<h1>Vision S3D Converter</h1>
<p><a href="/health/ready">readiness</a> · <a href="/metrics">metrics</a></p>
<table><thead><tr><th>task</th><th>type</th><th>state</th><th>stage</th><th>progress</th><th>attempt</th><th>updated</th></tr></thead><tbody id="rows"></tbody></table>
<script>
const rows = document.getElementById('rows');
function esc(s){return String(s??'').replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]))}
// With API_KEYS configured the API asks a key: kept in this browser, asked for once.
const key = () => localStorage.getItem('vs3dApiKey');
const q = () => key() ? '?api_key=' + encodeURIComponent(key()) : '';
async function refresh(){
  const r = await fetch('/tasks?limit=100', { headers: key() ? { 'x-api-key': key() } : {} });
  if (r.status === 401) { const k = prompt('API key for this converter'); if (k) localStorage.setItem('vs3dApiKey', k); return; }
  const {tasks} = await r.json();
  rows.innerHTML = tasks.map(t => '<tr><td><a href="/tasks/'+esc(t.task_id)+'/events'+q()+'"><code>'+esc(t.task_id)+'</code></a></td><td>'+esc(t.task_type)+
    '</td><td class="'+esc(t.state)+'">'+esc(t.state)+(t.error?' — '+esc(t.error.code):'')+((t.outputs||[]).some(o=>o.type==='tileset')?' · <a href="/tasks/'+esc(t.task_id)+'/view'+q()+'">view</a>':'')+'</td><td>'+esc(t.progress?.stage_label ?? t.current_stage ?? '')+
    '</td><td><div class="bar"><i style="width:'+(t.progress?.percent??0)+'%"></i></div></td><td>'+t.attempt+'</td><td>'+esc(t.updated_at)+'</td></tr>').join('');
}
refresh(); setInterval(refresh, 2000);
</script></body></html>`;
}
