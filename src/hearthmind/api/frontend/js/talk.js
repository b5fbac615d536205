// Push to talk: hold the button (or press it, or T, to start and again to stop), the browser
// records 16 kHz mono PCM, sends it as WAV to the voice API (/api/hearthmind/voice/listen, the
// token in the header) and shows and speaks the answer. Without a microphone it offers typing.
const RATE = 16000;

function wav(samples) {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buf);
  const str = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
  str(0, "RIFF"); v.setUint32(4, 36 + samples.length * 2, true); str(8, "WAVE"); str(12, "fmt ");
  v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, RATE, true); v.setUint32(28, RATE * 2, true); v.setUint16(32, 2, true);
  v.setUint16(34, 16, true); str(36, "data"); v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    v.setInt16(44 + i * 2, Math.max(-1, Math.min(1, samples[i])) * 0x7fff, true);
  }
  return new Blob([buf], { type: "audio/wav" });
}

function say(text) {
  const box = document.getElementById("answer");
  box.textContent = text; box.hidden = false;
  clearTimeout(say.timer); say.timer = setTimeout(() => { box.hidden = true; }, 8000);
  if (window.speechSynthesis) speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

export function setup(hub, button) {
  button.hidden = false;
  let rec = null;

  async function begin() {
    if (rec) return;
    if (!navigator.mediaDevices?.getUserMedia) {
      const text = prompt("No microphone here (it needs https or localhost). Type it instead:");
      if (text) answer(await hub.rest("/api/hearthmind/voice/say", { method: "POST", body: { text } }));
      return;
    }
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const ctx = new AudioContext({ sampleRate: RATE });
    const src = ctx.createMediaStreamSource(stream);
    const node = ctx.createScriptProcessor(4096, 1, 1);
    const chunks = [];
    node.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
    src.connect(node); node.connect(ctx.destination);
    rec = { stream, ctx, chunks };
    button.setAttribute("aria-pressed", "true");
  }

  async function end() {
    if (!rec) return;
    const { stream, ctx, chunks } = rec; rec = null;
    button.setAttribute("aria-pressed", "false");
    stream.getTracks().forEach((t) => t.stop()); await ctx.close();
    const n = chunks.reduce((a, c) => a + c.length, 0);
    const all = new Float32Array(n); let o = 0;
    for (const c of chunks) { all.set(c, o); o += c.length; }
    try {
      answer(await hub.rest("/api/hearthmind/voice/listen", { method: "POST", body: wav(all), raw: true }));
    } catch (e) { say(`Sorry: ${e.message}`); }
  }

  function answer(r) { say(r.speech || r.error || `heard: ${r.heard || "nothing"}`); }

  button.addEventListener("pointerdown", (e) => { e.preventDefault(); begin().catch((err) => say(err.message)); });
  button.addEventListener("pointerup", () => end());
  button.addEventListener("keydown", (e) => {
    if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); rec ? end() : begin().catch((err) => say(err.message)); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "t" && !e.repeat && !/INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)) {
      rec ? end() : begin().catch((err) => say(err.message));
    }
  });
}
