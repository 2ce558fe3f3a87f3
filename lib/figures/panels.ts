/**
 * Image panels for figures: crop tensors (`[N, S, S, 3]` in [−1, 1], DNA → red, tubulin → green, actin →
 * blue, the one mapping of image_grid.ts for real and generated cells alike) laid out as a grid, or as
 * labelled rows. Tiles are drawn {@link PNG_SCALE}× larger than shown, so that the rasterised figure keeps
 * every pixel sharp (nearest neighbour).
 * @module
 */
import { encodeRgbPng } from "../data/contact_sheet.ts";
import { imageGrid } from "./image_grid.ts";
import { imagePanel, type Panel, PNG_SCALE, stack, text } from "./svg.ts";

/** Tile upscale so that a crop of side `size` is shown about 64 SVG units wide. */
export function autoScale(size: number): number {
  return Math.max(1, Math.round(64 / size));
}

/** A grid of `n` crops, `columns` wide, each shown `size · scale` units wide, 2 units apart. */
export function gridPanel(
  images: Float32Array,
  n: number,
  size: number,
  options: { columns?: number; scale?: number } = {},
): Panel {
  const scale = options.scale ?? autoScale(size);
  const grid = imageGrid(images, n, size, {
    columns: options.columns,
    scale: scale * PNG_SCALE,
    gap: 2 * PNG_SCALE,
    background: 255,
  });
  return imagePanel(encodeRgbPng(grid), grid.width / PNG_SCALE, grid.height / PNG_SCALE);
}

/** One labelled row of crops. */
export interface TileRow {
  label: string;
  images: Float32Array;
  n: number;
}

/**
 * Rows of crops with a label to the left of each row, and optional labels above the columns (of the first
 * row's width).
 */
export function rowsPanel(
  rows: readonly TileRow[],
  size: number,
  options: { scale?: number; columnLabels?: readonly string[]; labelWidth?: number } = {},
): Panel {
  const scale = options.scale ?? autoScale(size);
  const labelWidth = options.labelWidth ?? 110;
  const tile = size * scale;
  const head = options.columnLabels ? 16 : 0;
  const parts: string[] = [];
  if (options.columnLabels) {
    options.columnLabels.forEach((l, j) =>
      parts.push(
        text(labelWidth + 2 + j * (tile + 2) + tile / 2, 11, l, { "text-anchor": "middle", "font-size": 10 }),
      )
    );
  }
  const body = stack(
    rows.map((r) => {
      const g = gridPanel(r.images, r.n, size, { columns: r.n, scale });
      return {
        width: labelWidth + g.width,
        height: g.height,
        body: text(labelWidth - 6, g.height / 2 + 4, r.label, { "text-anchor": "end", "font-size": 11 }) +
          `<g transform="translate(${labelWidth},0)">${g.body}</g>`,
      };
    }),
    { gap: 0 },
  );
  parts.push(`<g transform="translate(0,${head})">${body.body}</g>`);
  return { width: body.width, height: body.height + head, body: parts.join("") };
}
