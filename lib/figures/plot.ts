/**
 * Observable Plot in Deno: plots are rendered into a linkedom document and serialised as SVG panels
 * (svg.ts places them into figures). Both libraries are loaded on first use.
 * @module
 */
import { FONT, type Panel } from "./svg.ts";

/** The Plot module, for building marks. */
export type PlotModule = typeof import("@observablehq/plot");

let loaded: Promise<{ Plot: PlotModule; document: unknown }> | undefined;

/** Loads Plot and a DOM document for it (once). */
export function loadPlot(): Promise<{ Plot: PlotModule; document: unknown }> {
  loaded ??= (async () => {
    const Plot = await import("@observablehq/plot");
    const { parseHTML } = await import("linkedom");
    const window = parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as { document: unknown };
    return { Plot, document: window.document };
  })();
  return loaded;
}

/**
 * Renders a plot as a panel. `build` gets the Plot module and returns Plot's options (without `document`,
 * `title`, `caption` or legends, which would wrap the SVG in HTML).
 *
 * @throws Error when Plot returns something other than one `<svg>`.
 */
export async function plotPanel(build: (Plot: PlotModule) => Record<string, unknown>): Promise<Panel> {
  const { Plot, document } = await loadPlot();
  const options = build(Plot);
  const el = Plot.plot({ ...options, document } as Parameters<PlotModule["plot"]>[0]) as unknown as {
    outerHTML: string;
    tagName: string;
  };
  if (el.tagName.toLowerCase() !== "svg") {
    throw new Error(
      `plotPanel: Plot returned a <${el.tagName.toLowerCase()}>, expected an <svg> (no legends)`,
    );
  }
  const html = el.outerHTML;
  const width = Number(/\swidth="([\d.]+)"/.exec(html)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(html)?.[1]);
  if (!(width > 0 && height > 0)) throw new Error("plotPanel: the plot's SVG has no width and height");
  const body = html.replace(/font-family="[^"]*"/, `font-family="${FONT}"`);
  return { width, height, body };
}
