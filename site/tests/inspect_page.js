/**
 * In-page checks of the site's browser test (browser.ts), injected into every page as an init script: plain
 * JavaScript, so the TypeScript program needs no DOM types. Defines `globalThis.__siteCheck`.
 * @module
 */

/** Makes lazy images load and resolves when every image has loaded (and is decoded, for screenshots) or failed. */
async function loadImages() {
  const imgs = Array.from(document.images);
  imgs.forEach((i) => (i.loading = "eager"));
  await Promise.all(
    imgs.map((i) =>
      i.complete ? null : new Promise((r) => {
        i.addEventListener("load", r, { once: true });
        i.addEventListener("error", r, { once: true });
      })
    ),
  );
  await Promise.all(imgs.map((i) => (i.naturalWidth > 0 ? i.decode().catch(() => {}) : null)));
}

/** Sources of images that finished loading without pixels. */
function brokenImages() {
  return Array.from(document.images).filter((i) => i.complete && i.naturalWidth === 0).map((i) => i.src);
}

function parseColor(c) {
  const m = /rgba?\(([^)]+)\)/.exec(c);
  if (!m) return null;
  const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
}

function luminance(rgb) {
  const f = (x) => {
    const s = x / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
}

/** The colour behind an element: its ancestors' backgrounds composited over white. */
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = parseColor(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) {
      layers.push(c);
      if (c[3] >= 1) break;
    }
  }
  let rgb = [255, 255, 255];
  for (const c of layers.reverse()) rgb = rgb.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
  return rgb;
}

/** Images, alt text, headings, contrast of visible text outside SVG, links and ids of the page. */
function inspect() {
  const out = { badImages: [], noAlt: [], headings: [], lowContrast: [], links: [], ids: [], svgNoName: 0 };
  for (const img of Array.from(document.images)) {
    if (!img.complete || img.naturalWidth === 0) out.badImages.push(img.currentSrc || img.src);
    if (!img.hasAttribute("alt") || img.alt.trim() === "") out.noAlt.push(img.src);
  }
  for (const svg of Array.from(document.querySelectorAll("svg[role=img]"))) {
    if (!svg.getAttribute("aria-label") && !svg.getAttribute("aria-labelledby")) out.svgNoName++;
  }
  for (const h of Array.from(document.querySelectorAll("h1,h2,h3,h4,h5,h6"))) {
    out.headings.push(Number(h.tagName[1]));
  }
  for (const a of Array.from(document.querySelectorAll("a[href]"))) {
    out.links.push(new URL(a.getAttribute("href"), document.baseURI).href);
  }
  for (const e of Array.from(document.querySelectorAll("[id]"))) out.ids.push(e.id);
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent || !n.textContent.trim()) continue;
    seen.add(el);
    if (el.closest("svg, script, style, option, .skip")) continue;
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || st.visibility === "hidden" || st.display === "none") continue;
    const fg = parseColor(st.color);
    if (!fg) continue;
    const bg = background(el);
    const fgc = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
    const [a, b] = [luminance(fgc), luminance(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) {
      out.lowContrast.push(
        `${ratio.toFixed(2)}:1 "${n.textContent.trim().slice(0, 40)}" (${st.color} on rgb(${bg}))`,
      );
    }
  }
  return out;
}

/** Whether the page is wider than the viewport, and the first elements (outside scroll boxes) that are. */
function overflow() {
  const client = document.documentElement.clientWidth;
  return {
    scroll: document.documentElement.scrollWidth,
    client,
    wide: Array.from(document.querySelectorAll("body *"))
      .filter((e) => !e.closest(".scroll") && e.getBoundingClientRect().right > client)
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}${e.className ? "." + String(e.className).split(" ")[0] : ""}`),
  };
}

/** Texts of the cells of Table 1 holding numbers. */
function table1Numbers() {
  return Array.from(document.querySelectorAll("#table1 tbody td.num")).map((t) => t.textContent ?? "");
}

/** The feature sets the MOA explorer offers. */
function explorerSets() {
  return Array.from(document.querySelectorAll("#nn-set option")).map((o) => o.value);
}

globalThis.__siteCheck = { loadImages, brokenImages, inspect, overflow, table1Numbers, explorerSets };
