/**
 * Figure assembly: every figure is one standalone SVG (a title, a body made of panels, a word-wrapped
 * caption) rasterised to PNG by sharp (librsvg), and written as `<name>.svg`, `<name>.png` and
 * `<name>.json` (the caption and the numbers behind the figure).
 *
 * Panels are SVG fragments of known size: plots (plot.ts), image grids (panels.ts) or hand-drawn tables;
 * {@link stack} lays them out in rows or columns.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic_write.ts";

/** An SVG fragment of known size, drawn with its origin at (0, 0). */
export interface Panel {
  width: number;
  height: number;
  /** SVG elements (no outer `<svg>`). */
  body: string;
}

/** The PNG pixels per SVG unit (2: crisp on high-density screens and in print). */
export const PNG_SCALE = 2;

/** Font stack of every figure (DejaVu Sans is what librsvg finds on a bare Debian). */
export const FONT = "DejaVu Sans, Verdana, sans-serif";

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** Splits `text` into lines of at most `maxChars` characters, at spaces (a longer word gets its own line). */
export function wrapText(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > maxChars) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines;
}

/** A text element (escaped). */
export function text(
  x: number,
  y: number,
  content: string,
  attrs: Record<string, string | number> = {},
): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join("");
  return `<text x="${round(x)}" y="${round(y)}"${a}>${escapeXml(content)}</text>`;
}

/** Places a panel at (x, y). */
export function place(panel: Panel, x: number, y: number): string {
  return `<g transform="translate(${round(x)},${round(y)})">${panel.body}</g>`;
}

/**
 * Lays panels out in a row (`direction: "row"`) or a column, `gap` apart, aligned at the start; an optional
 * label above each panel (bold, 13 px).
 */
export function stack(
  panels: readonly Panel[],
  options: { direction?: "row" | "column"; gap?: number; labels?: readonly string[] } = {},
): Panel {
  const gap = options.gap ?? 16;
  const labelHeight = options.labels ? 20 : 0;
  const row = (options.direction ?? "column") === "row";
  let x = 0, y = 0, width = 0, height = 0;
  const parts: string[] = [];
  panels.forEach((p, i) => {
    const label = options.labels?.[i];
    if (label) parts.push(text(x, y + 14, label, { "font-size": 13, "font-weight": "bold" }));
    parts.push(place(p, x, y + labelHeight));
    const w = p.width, h = p.height + labelHeight;
    if (row) {
      x += w + gap;
      width = x - gap;
      height = Math.max(height, h);
    } else {
      y += h + gap;
      height = y - gap;
      width = Math.max(width, w);
    }
  });
  return { width: Math.max(width, 0), height: Math.max(height, 0), body: parts.join("") };
}

/** A panel holding a PNG image (a data URI), drawn at `width × height` SVG units. */
export function imagePanel(png: Uint8Array, width: number, height: number): Panel {
  const uri = `data:image/png;base64,${base64(png)}`;
  return {
    width,
    height,
    body: `<image x="0" y="0" width="${width}" height="${height}" preserveAspectRatio="none" ` +
      `style="image-rendering:pixelated" href="${uri}" xlink:href="${uri}"/>`,
  };
}

/** A figure: a title above a body panel, and a caption wrapped below. */
export interface FigureSpec {
  title: string;
  caption: string;
  body: Panel;
}

/** Assembles a figure into one standalone SVG document; returns it with its size in SVG units. */
export function figureSvg(spec: FigureSpec): { svg: string; width: number; height: number } {
  const pad = 16;
  const width = Math.ceil(Math.max(spec.body.width, 560) + 2 * pad);
  const captionSize = 12, lineHeight = 16;
  const lines = wrapText(spec.caption, Math.max(40, Math.floor((width - 2 * pad) / (captionSize * 0.62))));
  const titleY = pad + 16;
  const bodyY = titleY + 14;
  const captionY = bodyY + spec.body.height + 12 + captionSize;
  const height = Math.ceil(captionY + (lines.length - 1) * lineHeight + pad);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" ` +
    `height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="11">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`,
    text(pad, titleY, spec.title, { "font-size": 16, "font-weight": "bold" }),
    place(spec.body, pad, bodyY),
    ...lines.map((l, i) =>
      text(pad, captionY + i * lineHeight, l, { "font-size": captionSize, fill: "#333" })
    ),
    "</svg>",
  ].join("\n");
  return { svg, width, height };
}

/** Rasterises an SVG document to PNG with sharp, `scale` pixels per SVG unit. */
export async function svgToPng(svg: string, scale = PNG_SCALE): Promise<Uint8Array> {
  const sharp = (await import("sharp")).default;
  const buf = await sharp(new TextEncoder().encode(svg), { density: 72 * scale, limitInputPixels: false })
    .png({ compressionLevel: 9 })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** What {@link writeFigure} wrote. */
export interface WrittenFigure {
  name: string;
  title: string;
  caption: string;
  files: { svg: string; png: string; json: string };
  /** PNG size in pixels. */
  width: number;
  height: number;
}

/**
 * Writes `<name>.svg`, `<name>.png` (rasterised at {@link PNG_SCALE}) and `<name>.json` (`{name, title,
 * caption, data}`) into `dir`, each atomically.
 */
export async function writeFigure(
  dir: string,
  name: string,
  spec: FigureSpec,
  data: unknown,
): Promise<WrittenFigure> {
  const { svg, width, height } = figureSvg(spec);
  const files = { svg: `${name}.svg`, png: `${name}.png`, json: `${name}.json` };
  await writeFileAtomic(join(dir, files.svg), svg + "\n");
  await writeFileAtomic(join(dir, files.png), await svgToPng(svg));
  await writeFileAtomic(
    join(dir, files.json),
    JSON.stringify({ name, title: spec.title, caption: spec.caption, data }, jsonNumbers, 2) + "\n",
  );
  return {
    name,
    title: spec.title,
    caption: spec.caption,
    files,
    width: width * PNG_SCALE,
    height: height * PNG_SCALE,
  };
}

/** JSON replacer: non-finite numbers become null, others keep at most 6 significant digits. */
export function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value !== "number") return value;
  if (!Number.isFinite(value)) return null;
  return Number.isInteger(value) ? value : Number(value.toPrecision(6));
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
