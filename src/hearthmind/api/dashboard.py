"""A one-page view of the home at `/`: it takes the token from the URL fragment
(`#token=...`, never sent to the server) or asks for it, lists the states over the REST API,
follows changes over the WebSocket API, toggles switchable entities, and shows what the hub
expects people to do next, and why (`/api/hearthmind/predictions`, every 15 s). Every time
on it is in the home's time zone (`/api/config`), whatever the browser's. No external
assets: the hub works offline."""

DASHBOARD_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hearthmind</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#faf8f5}
h1{font-size:1.4em;margin:0 0 .5em} table{border-collapse:collapse;width:100%}
td,th{padding:.3em .6em;border-bottom:1px solid #e4ded6;text-align:left;vertical-align:top}
th{background:#f0ebe4} .dom{font-weight:600;background:#f6f2ec}
.on{color:#b35c00;font-weight:600} small{color:#777} button{cursor:pointer}
#status{margin:.5em 0;color:#555} input{width:28em}
</style></head><body>
<h1 id="title">Hearthmind</h1>
<div id="login" hidden><label>Access token: <input id="tok" type="password"></label>
<button id="go">Open</button> <small>(<code>hearthmind token create --name me</code>)</small></div>
<div id="status"></div>
<div id="next" hidden><h2 style="font-size:1.1em">What comes next</h2><ol id="guesses"></ol>
<small id="shown"></small></div>
<table id="states" hidden><thead><tr><th>entity</th><th>state</th><th>changed</th>
<th>by</th><th></th></tr></thead><tbody></tbody></table>
<script>
"use strict";
const TOGGLE = new Set(["light","switch","fan","input_boolean","media_player"]);
const stateMap = new Map();
let token = null;
let zone = undefined;  // the home's time zone, from /api/config
function when(iso, withDate){
  const opts = {timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
  if (withDate){ opts.weekday = "short"; opts.day = "numeric"; opts.month = "short"; opts.second = "2-digit"; }
  return new Date(iso).toLocaleString([], opts);
}
function readToken(){
  const m = location.hash.match(/token=([^&]+)/);
  if (m){ sessionStorage.setItem("hm_token", decodeURIComponent(m[1]));
          history.replaceState(null, "", location.pathname); }
  return sessionStorage.getItem("hm_token");
}
function status(t){ document.getElementById("status").textContent = t; }
async function api(path, opts){
  const r = await fetch(path, Object.assign({headers:{"Authorization":"Bearer "+token,
    "Content-Type":"application/json"}}, opts||{}));
  if (r.status === 401){ sessionStorage.removeItem("hm_token"); showLogin("token refused"); throw new Error("401"); }
  return r.json();
}
function showLogin(why){ document.getElementById("login").hidden = false; status(why||""); }
function render(){
  const body = document.querySelector("#states tbody"); body.textContent = "";
  const ids = [...stateMap.keys()].sort(); let dom = null;
  for (const id of ids){
    const s = stateMap.get(id), d = id.split(".")[0];
    if (d !== dom){ dom = d; const tr = body.insertRow(); const td = tr.insertCell();
      td.colSpan = 5; td.className = "dom"; td.textContent = d; }
    const tr = body.insertRow();
    tr.insertCell().textContent = (s.attributes && s.attributes.friendly_name) || id;
    const st = tr.insertCell(); st.textContent = s.state; if (s.state === "on") st.className = "on";
    tr.insertCell().innerHTML = "<small>" + when(s.last_changed, true) + "</small>";
    const c = s.context || {}; tr.insertCell().innerHTML = "<small>" + (c.origin||"") +
      (c.user_id ? " (" + c.user_id.replace(/[<>&]/g, "") + ")" : "") + "</small>";
    const act = tr.insertCell();
    if (TOGGLE.has(d)){ const b = document.createElement("button"); b.textContent = "toggle";
      b.onclick = () => api("/api/services/" + d + "/toggle", {method:"POST",
        body: JSON.stringify({entity_id:id})}); act.appendChild(b); }
  }
  document.getElementById("states").hidden = false;
}
let renderPending = false;
function scheduleRender(){ if (!renderPending){ renderPending = true;
  requestAnimationFrame(() => { renderPending = false; render(); }); } }
function follow(){
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/websocket");
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    for (const x of (Array.isArray(msg) ? msg : [msg])){
      if (x.type === "auth_required") ws.send(JSON.stringify({type:"auth", access_token: token}));
      else if (x.type === "auth_ok") ws.send(JSON.stringify({id:1, type:"subscribe_events", event_type:"state_changed"}));
      else if (x.type === "event" && x.event && x.event.data){
        const d = x.event.data; if (d.new_state) stateMap.set(d.entity_id, d.new_state); else stateMap.delete(d.entity_id);
        scheduleRender();
      }
    }
  };
  ws.onclose = () => { status("live updates stopped; reconnecting…"); setTimeout(follow, 3000); };
  ws.onopen = () => status("live");
}
async function guesses(){
  const r = await fetch("/api/hearthmind/predictions?k=5", {headers:{"Authorization":"Bearer "+token}});
  if (r.status !== 200) return;  // no routines on this hub (404) or not yet authorised
  const body = await r.json(), list = document.getElementById("guesses");
  list.textContent = "";
  for (const p of body.predictions){
    const li = document.createElement("li");
    const at = p.expected_time ? " around " + when(p.expected_time, false) : "";
    li.textContent = (p.name || (p.entity_id + " " + p.value)) + " (" + Math.round(100 * p.probability) + "%" + at + ")";
    const why = document.createElement("small"); why.textContent = " because " + (p.evidence || "");
    li.appendChild(why); list.appendChild(li);
  }
  document.getElementById("shown").textContent = body.summary || "";
  document.getElementById("next").hidden = body.predictions.length === 0;
}
async function start(){
  token = readToken();
  if (!token){ showLogin("enter an access token"); return; }
  document.getElementById("login").hidden = true;
  try {
    const config = await api("/api/config");
    zone = config.time_zone || undefined;
    document.getElementById("title").textContent = (config.location_name || "Hearthmind") +
      " — times in " + (config.time_zone || "UTC");
    const states = await api("/api/states");
    for (const s of states) stateMap.set(s.entity_id, s);
    render(); follow();
    guesses(); setInterval(() => guesses().catch(() => {}), 15000);
  } catch (e) { if (e.message !== "401") status("cannot reach the hub: " + e); }
}
document.getElementById("go").onclick = () => {
  sessionStorage.setItem("hm_token", document.getElementById("tok").value.trim()); start(); };
start();
</script></body></html>
"""
