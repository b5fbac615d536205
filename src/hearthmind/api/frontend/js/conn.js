// The one connection to the hub: Home Assistant's WebSocket API (the token goes only in the
// auth message) and its REST API (the token only in the Authorization header).
const KEY = "hearthmind.token";

export function savedToken() { return localStorage.getItem(KEY); }
export function saveToken(t) { localStorage.setItem(KEY, t); }
export function forgetToken() { localStorage.removeItem(KEY); }

export class AuthError extends Error {}

export class Hub {
  constructor(token) {
    this.token = token;
    this.nextId = 1;
    this.pending = new Map();   // id -> {resolve, reject}
    this.listeners = new Map(); // id -> callback for event messages
    this.onState = null;        // callback(entity_id, new_state | null) for state_changed
    this.onStatus = () => {};
    this.onReconnect = null;
    this.closed = false;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/websocket`;
      const ws = new WebSocket(url);
      this.ws = ws;
      let authed = false;
      ws.onmessage = (e) => {
        const msg = JSON.parse(e.data);
        if (!authed) {
          if (msg.type === "auth_required") {
            ws.send(JSON.stringify({ type: "auth", access_token: this.token }));
          } else if (msg.type === "auth_ok") {
            authed = true; this.onStatus("connected"); resolve();
          } else if (msg.type === "auth_invalid") {
            this.closed = true; reject(new AuthError(msg.message || "the token was refused"));
          }
          return;
        }
        this.dispatch(msg);
      };
      ws.onclose = () => {
        for (const p of this.pending.values()) p.reject(new Error("connection closed"));
        this.pending.clear();
        if (!authed) { reject(new Error("could not reach the hub")); return; }
        if (this.closed) return;
        this.onStatus("reconnecting…");
        // back off a little and resubscribe; the page keeps what it shows meanwhile
        setTimeout(() => this.connect().then(() => this.onReconnect && this.onReconnect(),
          () => {}), 2000);
      };
    });
  }

  dispatch(msg) {
    if (msg.type === "result") {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.success) p.resolve(msg.result);
      else p.reject(new Error((msg.error && msg.error.message) || "refused"));
    } else if (msg.type === "event") {
      const cb = this.listeners.get(msg.id);
      if (cb) cb(msg.event);
    }
  }

  call(type, params = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, type, ...params }));
    });
  }

  async subscribe(eventType, callback) {
    const id = this.nextId;
    this.listeners.set(id, callback);
    await this.call("subscribe_events", { event_type: eventType });
    return id;
  }

  service(domain, service, data) {
    return this.call("call_service", { domain, service, service_data: data });
  }

  async rest(path, { method = "GET", body, raw } = {}) {
    const headers = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined && !raw) headers["Content-Type"] = "application/json";
    const r = await fetch(path, {
      method, headers, body: raw ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    if (!r.ok) throw new Error((data && data.message) || `${r.status} ${r.statusText}`);
    return data;
  }

  close() { this.closed = true; if (this.ws) this.ws.close(); }
}
