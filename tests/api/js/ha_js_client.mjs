import WebSocket from "ws";
globalThis.WebSocket = WebSocket;
const haws = await import("home-assistant-js-websocket");
const [url, token] = process.argv.slice(2);
const auth = haws.createLongLivedTokenAuth(url, token);
const conn = await haws.createConnection({ auth });
const out = { version: conn.haVersion };
out.states = (await haws.getStates(conn)).length;
out.services = Object.keys(await haws.getServices(conn)).length;
out.location = (await haws.getConfig(conn)).location_name;
out.user = (await haws.getUser(conn)).name;
const seen = [];
const done = new Promise((resolve) => {
  haws.subscribeEntities(conn, (ents) => {
    const k = ents["light.kitchen"];
    seen.push(k.state);
    if (k.state === "on" && k.attributes.brightness === 50) resolve();
  });
});
await new Promise((r) => setTimeout(r, 100));
await haws.callService(conn, "light", "turn_on", { brightness: 50 }, { entity_id: "light.kitchen" });
await done;
out.seen = seen;
let error = null;
try { await haws.callService(conn, "light", "turn_on", {}, { entity_id: "light.nowhere" }); }
catch (e) { error = e; }
out.error = error;
conn.close();
console.log(JSON.stringify(out));
