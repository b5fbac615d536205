// uPlot, loaded on the first graph only (vendored in /frontend/vendor, so it works offline),
// shared by every page that draws one.
import { el } from "./store.js";

let uplotReady = null;

export function loadUplot() {
  if (!uplotReady) {
    uplotReady = new Promise((resolve, reject) => {
      const css = el("link", { rel: "stylesheet", href: "/frontend/vendor/uPlot.min.css" });
      const js = el("script", { src: "/frontend/vendor/uPlot.iife.min.js" });
      js.onload = () => resolve(window.uPlot); js.onerror = reject;
      document.head.append(css, js);
    });
  }
  return uplotReady;
}

// the width a graph may take inside `box` (at least a phone's)
export function widthOf(box) { return Math.max(260, box.clientWidth - 16); }
