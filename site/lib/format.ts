/**
 * Number, duration, size and date formatting for the pages, and the relative URLs that let the built site
 * work at any base path.
 * @module
 */

/** A no-break space: keeps "62.3 %" and "4.6 s" on one line. */
export const NBSP = "\u00a0";

/** A fraction as a percentage: `pct(0.6231) === "62.3 %"`; an en dash for null or undefined. */
export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return `${(x * 100).toFixed(digits)}${NBSP}%`;
}

/** A number with about `sig` significant digits (no exponent for ordinary magnitudes). */
export function num(x: unknown, sig = 3): string {
  if (typeof x !== "number") return x === null || x === undefined ? "–" : String(x);
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return x.toLocaleString("en-US");
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return x.toExponential(sig - 1);
  const digits = Math.max(0, sig - 1 - Math.floor(Math.log10(a || 1)));
  return x.toLocaleString("en-US", { maximumFractionDigits: Math.min(digits, 6) });
}

/** Milliseconds as "0.4 s", "12 s", "7 min 08 s", "1 h 02 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(s < 1 ? 2 : 1)}${NBSP}s`;
  if (s < 60) return `${Math.round(s)}${NBSP}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}${NBSP}min ${String(Math.round(s - m * 60)).padStart(2, "0")}${NBSP}s`;
  const h = Math.floor(m / 60);
  return `${h}${NBSP}h ${String(m - h * 60).padStart(2, "0")}${NBSP}min`;
}

/** Bytes as "512 B", "4.6 kB", "531 MB". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)}${NBSP}${units[i]}`;
}

/** An ISO timestamp as "2026-11-25 02:07 UTC" (the input unchanged when it is not a date). */
export function date(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** The first 12 hex digits of a key or digest. */
export function short(key: string | null | undefined): string {
  return key ? key.slice(0, 12) : "–";
}

/**
 * The URL of site path `to` relative to the page at site path `from` (both relative to the site root; page
 * paths end in "/", "" is the root). Relative URLs keep the site working at any base path.
 */
export function rel(from: string, to: string): string {
  const depth = from.split("/").filter(Boolean).length;
  const up = "../".repeat(depth);
  const url = up + to;
  return url === "" ? "./" : url.startsWith("#") ? `./${url}` : url;
}

/** A name fit for an HTML id: "wells-mean/whiten+select" → "wells-mean-whiten-select". */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "x";
}
