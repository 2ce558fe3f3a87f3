/**
 * Fig. 3: latent vector algebra, found and measured. For each GAN and attribute (measure.ts), a direction in
 * latent space is fit from the top and bottom deciles of generated cells and checked on held-out bases
 * against a random direction of the same length (latent.ts): one figure of examples per GAN
 * (`fig3_algebra_<gan>`) and one of the measured changes (`fig3_algebra_measured`).
 * @module
 */
import { algebraChart, grid, notePanel } from "./charts.ts";
import { type GanKey, GANS } from "./gans.ts";
import type { FigureHooks, FigureParams } from "./figure_params.ts";
import { fmt, pct } from "./format.ts";
import { type AlgebraResult, type ImageGenerator, measureAlgebra } from "./latent.ts";
import { ATTRIBUTES } from "./measure.ts";
import { rowsPanel, type TileRow } from "./panels.ts";
import { type Panel, stack, writeFigure, type WrittenFigure } from "./svg.ts";

/** Measures every attribute's algebra for every GAN, logging each attribute's change as it goes. */
export async function measureAllAlgebra(
  generators: ReadonlyMap<GanKey, ImageGenerator>,
  P: FigureParams,
  hooks: Pick<FigureHooks, "log" | "signal">,
): Promise<Map<GanKey, AlgebraResult[]>> {
  const algebra = new Map<GanKey, AlgebraResult[]>();
  for (const [key, name] of GANS) {
    const results: AlgebraResult[] = [];
    for (const attribute of ATTRIBUTES) {
      const r = await measureAlgebra(generators.get(key)!, attribute, {
        samples: P.algebraSamples,
        fraction: P.decile,
        examples: P.algebraExamples,
        seed: P.seed + 300,
        batchSize: P.batchSize,
      });
      results.push(r);
      const c = r.change[0];
      hooks.log.info(
        `${name} ${r.attribute}: +1·direction changes it by ${fmt(c.direction.mean)} ± ${
          fmt(c.direction.se)
        } (n ${c.direction.n}, up in ${pct(c.direction.fractionIncreased)}); random direction ${
          fmt(c.control.mean)
        } ± ${fmt(c.control.se)}`,
      );
      hooks.signal?.throwIfAborted();
    }
    algebra.set(key, results);
  }
  return algebra;
}

/** The measured changes of one attribute, as short lines. */
function algebraNotes(r: AlgebraResult): string[] {
  const sign = (v: number) => (v > 0 ? "+" : "") + fmt(v);
  return [
    `measured over ${r.heldOut} held-out bases (mean ± s.e.):`,
    ...r.change.map((c) =>
      `+${c.step}·dir: ${sign(c.direction.mean)} ± ${fmt(c.direction.se, 2)}, up in ${
        pct(c.direction.fractionIncreased)
      }` +
      ` (random dir: ${sign(c.control.mean)} ± ${fmt(c.control.se, 2)})`
    ),
    `a − b + c vs c: ${sign(r.analogy.mean)} ± ${fmt(r.analogy.se, 2)}, up in ${
      pct(r.analogy.fractionIncreased)
    }`,
    `attribute sd ${fmt(r.fit.sd)}; bottom → top decile ${fmt(r.fit.bottomMean)} → ${fmt(r.fit.topMean)}`,
  ];
}

/** Fig. 3 of one GAN: the example rows of every attribute, side by side. */
export function figure3(
  out: string,
  key: string,
  name: string,
  results: readonly AlgebraResult[],
  size: number,
): Promise<WrittenFigure> {
  const sections: Panel[] = [];
  const labels: string[] = [];
  for (const r of results) {
    const ex = r.examples;
    const rows: TileRow[] = [
      ...ex.steps.map((s) => ({
        label: s.step === 0 ? "base" : `base + ${s.step}·dir`,
        images: s.images,
        n: ex.count,
      })),
      { label: "a (top decile)", images: ex.analogy.a, n: ex.count },
      { label: "b (bottom decile)", images: ex.analogy.b, n: ex.count },
      { label: "c", images: ex.analogy.c, n: ex.count },
      { label: "a − b + c", images: ex.analogy.result, n: ex.count },
    ];
    const tiles = rowsPanel(rows, size, { labelWidth: 120 });
    sections.push(stack([tiles, notePanel(algebraNotes(r), Math.max(tiles.width, 400))], { gap: 6 }));
    labels.push(r.label);
  }
  const first = results[0];
  return writeFigure(
    out,
    `fig3_algebra_${key}`,
    {
      title: `Fig. 3 — Latent vector algebra, ${name}: attribute directions found and measured`,
      caption:
        `From ${first.samples} latent vectors, ${first.fitSamples} fit each attribute's direction (mean z of the top ${
          pct(first.fraction)
        } by the measured attribute minus that of the bottom ${pct(first.fraction)}); ` +
        `columns are held-out bases. Rows: base, base + direction, base + 2·direction; then the paper's form, a − b + c, with a from the held-out top decile, b from its bottom decile. ` +
        `Below each block: the paired change of the attribute measured on the generated images (mean ± standard error) beside a random direction of the same length.`,
      body: stack(sections, { direction: "row", gap: 40, labels }),
    },
    results.map((r) => ({ ...r, examples: undefined })),
  );
}

/** The measured algebra of every GAN and attribute, as charts. */
export async function figure3Measured(
  out: string,
  algebra: ReadonlyMap<GanKey, AlgebraResult[]>,
): Promise<WrittenFigure> {
  const panels: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {};
  for (const attribute of ATTRIBUTES) {
    for (const [key, name] of GANS) {
      const r = algebra.get(key)!.find((x) => x.attribute === attribute.name)!;
      const rows = [
        { step: 0, kind: "direction" as const, mean: r.along[0].direction, se: 0 },
        { step: 0, kind: "control" as const, mean: r.along[0].control, se: 0 },
        ...r.change.flatMap((c, i) => [
          { step: c.step, kind: "direction" as const, mean: r.along[i + 1].direction, se: c.direction.se },
          { step: c.step, kind: "control" as const, mean: r.along[i + 1].control, se: c.control.se },
        ]),
      ];
      panels.push(await algebraChart(rows, { label: attribute.label }));
      labels.push(`${name}: ${attribute.name.replace("_", " ")}`);
      data[`${key}/${attribute.name}`] = { ...r, examples: undefined };
    }
  }
  const any = [...algebra.values()][0][0];
  return writeFigure(
    out,
    "fig3_algebra_measured",
    {
      title: "Fig. 3b — Does moving along an attribute direction change the attribute?",
      caption:
        `Mean attribute of ${any.heldOut} held-out generated cells at 0, 1 and 2 steps along the attribute direction (red) and along a random direction of the same length (grey); ` +
        `bars: ±1 standard error of the paired change from the base. Directions were fit on ${any.fitSamples} other samples (top minus bottom ${
          pct(any.fraction)
        }). ` +
        `Nucleus area: pixels of the centre nucleus segmented from the DNA channel (Otsu); tubulin content: mean tubulin intensity.`,
      body: grid(panels, GANS.length, labels),
    },
    data,
  );
}
