// The app: log in by token, load the home, follow state_changed, and show one page at a time
// (hash routes, so neither the page nor the token ever travels in a URL the server sees).
import { Hub, AuthError, savedToken, saveToken, forgetToken } from "./conn.js";
import { store, load, applyChange } from "./store.js";
import { HomeView } from "./home.js";

const $ = (id) => document.getElementById(id);
const PAGES = ["home", "history", "logbook", "routines", "energy", "agent", "spaces"];
const app = { hub: null, views: {}, timings: {} };
window.hearthmind = app;  // for tests and the benchmark: timings and what was drawn

function status(text) { $("status").textContent = text; }
document.addEventListener("hm-error", (e) => status(`refused: ${e.detail}`));

function showLogin(message) {
  for (const p of PAGES) $(`page-${p}`).hidden = true;
  $("nav").hidden = true; $("talk").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
  $("token").focus();
}

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  const t = $("token").value.trim();
  if (!t) return;
  saveToken(t);
  start(t);
});

async function lazy(page) {
  // pages other than home load their module on first visit: the home view stays small
  if (app.views[page]) return app.views[page];
  const mod = await import(`./${page}.js`);
  app.views[page] = new mod.default(app.hub, $(`page-${page}`), app);
  return app.views[page];
}

async function route() {
  if (!app.hub) return;
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const page = PAGES.includes(path) ? path : "home";
  for (const p of PAGES) $(`page-${p}`).hidden = p !== page;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.page === page) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  app.shown = null;
  if (page === "home") { app.shown = page; return; }
  const t0 = performance.now();
  const view = await lazy(page);
  await view.show(new URLSearchParams(query || ""), t0);
  app.shown = page;  // drawn what it read: for screenshots and tests
}

async function start(token) {
  $("login").hidden = true;
  status("connecting…");
  const hub = new Hub(token);
  hub.onStatus = status;
  try {
    await hub.connect();
  } catch (err) {
    if (err instanceof AuthError) { forgetToken(); showLogin(`The hub refused that token: ${err.message}`); }
    else showLogin(err.message);
    return;
  }
  app.hub = hub;
  const subscribe = () => hub.subscribe("state_changed", (ev) => {
    applyChange(ev.data.entity_id, ev.data.new_state);
  });
  // subscribed before the states are read (the hub answers in order), so no change falls
  // between the two; both in flight at once
  await Promise.all([subscribe(), load(hub)]);
  const home = new HomeView(hub, $("page-home"));
  store.views.add(home);
  home.render();
  app.views.home = home;
  hub.onReconnect = async () => { await subscribe(); await load(hub); home.render(); status("connected"); };
  $("nav").hidden = false;
  $("page-home").hidden = false;
  await route();
  performance.mark("home-interactive");
  app.timings.home_interactive_ms = performance.now();
  status(`connected · ${store.states.size} entities`);
  import("./talk.js").then((m) => m.setup(hub, $("talk")), () => {});
}

window.addEventListener("hashchange", route);

// an older link may carry the token in its fragment (never sent to the server): keep it, then
// drop it from the address bar
const m = location.hash.match(/token=([^&]+)/);
if (m) { saveToken(decodeURIComponent(m[1])); history.replaceState(null, "", location.pathname); }
const token = savedToken();
if (token) start(token); else showLogin();
