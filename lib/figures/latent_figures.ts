/**
 * The latent-space figures of real cells (what lib/figures/latent_cells.ts measured), one per experiment, each
 * model of the registry with an encoder (VAE, BiGAN) a section:
 *
 * | name                        | what                                                                       |
 * | --------------------------- | -------------------------------------------------------------------------- |
 * | `latent_reconstructions`    | real cells of each MOA beside G(E(x)); pixel error and identification      |
 * | `latent_interpolation_real` | G along E(x₁) → E(x₂), from a DMSO cell to a treated one                   |
 * | `latent_treatment_vectors`  | DMSO cells + a treatment's vector, decoded; measured per MOA vs random    |
 * | `latent_dose_direction`     | a compound's low → high direction, α times; measured vs random and real   |
 * @module
 */
import { plotPanel } from "./plot.ts";
import { rowsPanel, type TileRow } from "./panels.ts";
import { formatSeedScore, type SeedScore, seedScore } from "./seed_stats.ts";
import { fmt } from "./format.ts";
import { type Panel, stack, wrapText, writeFigure, type WrittenFigure } from "./svg.ts";
import { notePanel } from "./charts.ts";
import { CONTROL } from "../profiling/types.ts";
import { mean, type ModelMeasurements } from "./latent_cells.ts";
import type { CellGroup } from "./treatment_vectors.ts";

const seeds = (m: ModelMeasurements) => m.seeds.map((s) => s.seed);

/**
 * The models' sections, each labelled by the text of its label before ": " and with the rest (its measured
 * numbers) as a note below it, wrapped to the section's width.
 */
function labelled(sections: readonly Panel[], labels: readonly string[]): Panel {
  const parts = sections.map((s, i) => {
    const k = labels[i].indexOf(": ");
    if (k < 0) return s;
    const width = Math.max(s.width, 480);
    return stack([s, notePanel(wrapText(labels[i].slice(k + 2), Math.floor(width / 6.2)), width)], {
      gap: 6,
    });
  });
  return stack(parts, { gap: 14, labels: labels.map((l) => l.split(": ")[0]) });
}

/** Fig.: reconstructions G(E(x)) of real cells of each MOA. */
export function reconstructionFigure(
  out: string,
  models: readonly ModelMeasurements[],
  size: number,
): Promise<WrittenFigure> {
  const sections: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {};
  for (const m of models) {
    const rows: TileRow[] = m.examples.reconstructions.map((r) => {
      // Interleave: each real cell, then its reconstruction.
      const p = size * size * 3, images = new Float32Array(2 * r.n * p);
      for (let i = 0; i < r.n; i++) {
        images.set(r.real.subarray(i * p, (i + 1) * p), 2 * i * p);
        images.set(r.decoded.subarray(i * p, (i + 1) * p), (2 * i + 1) * p);
      }
      return { label: r.label, images, n: 2 * r.n };
    });
    const n = Math.max(0, ...rows.map((r) => r.n));
    sections.push(
      rowsPanel(rows, size, {
        columnLabels: Array.from({ length: n }, (_, k) => (k % 2 === 0 ? "x" : "G(E(x))")),
        labelWidth: 150,
      }),
    );
    const score = (f: (r: ModelMeasurements["seeds"][number]["reconstruction"]) => number) =>
      seedScore(m.seeds.map((s) => f(s.reconstruction)));
    const summary = {
      seeds: seeds(m),
      cells: m.seeds[0]?.reconstruction.cells ?? 0,
      mse: score((r) => r.mse),
      mseControl: score((r) => r.mseControl),
      identified: score((r) => r.identified),
      identifiedControl: score((r) => r.identifiedControl),
    };
    data[m.key] = summary;
    labels.push(
      `${m.name}: pixel MSE ${formatSeedScore(summary.mse)} (random z: ${
        formatSeedScore(summary.mseControl)
      }); own cell nearest ${formatSeedScore(summary.identified)} of ${summary.cells} (random z: ${
        formatSeedScore(summary.identifiedControl)
      }; chance ${fmt(1 / Math.max(1, summary.cells), 2)})`,
    );
  }
  return writeFigure(
    out,
    "latent_reconstructions",
    {
      title: "Real cells encoded and decoded: x beside G(E(x))",
      caption:
        "Each real cell (x) beside its reconstruction G(E(x)): E is the VAE's encoder mean μ, or the BiGAN's encoder; G decodes it in inference mode. " +
        "Rows: a few cells of each MOA (DMSO first), the same cells for every model; examples from the first training seed. " +
        "Measured on a random sample of cells (mean ± sd over training seeds): the mean squared error per pixel value ([−1, 1] scale), beside G(z) for random z ~ N(0, I) paired with the same cells (the control: an unrelated generated cell); " +
        "and the fraction of cells whose reconstruction is nearer to their own cell than to any other cell of the sample (does the code keep the cell's identity; chance 1/n).",
      body: labelled(sections, labels),
    },
    data,
  );
}

/** Fig.: interpolation between two real cells through their codes. */
export function realInterpolationFigure(
  out: string,
  models: readonly ModelMeasurements[],
  size: number,
  steps: number,
): Promise<WrittenFigure> {
  const sections: Panel[] = [];
  const labels: string[] = [];
  for (const m of models) {
    const p = size * size * 3;
    const rows: TileRow[] = m.examples.paths.map((path, i) => {
      const images = new Float32Array((steps + 2) * p);
      images.set(path.real[0], 0);
      images.set(path.decoded, p);
      images.set(path.real[1], (steps + 1) * p);
      return { label: `${i + 1}: ${path.from} → ${path.to}`, images, n: steps + 2 };
    });
    sections.push(
      rowsPanel(rows, size, {
        labelWidth: 190,
        columnLabels: Array.from(
          { length: steps + 2 },
          (_, k) => k === 0 ? "x₁" : k === steps + 1 ? "x₂" : k === 1 ? "t=0" : k === steps ? "t=1" : "",
        ),
      }),
    );
    labels.push(m.name);
  }
  return writeFigure(
    out,
    "latent_interpolation_real",
    {
      title: "Interpolating between two real cells",
      caption:
        `Two real cells x₁ (DMSO) and x₂ (a treated cell) at the ends; between them G((1 − t)·E(x₁) + t·E(x₂)) at ${steps} evenly spaced t, ` +
        "so the first and last decoded images are the two cells' reconstructions. Unlike Fig. 2, the ends are real cells, not random codes. First training seed.",
      body: labelled(sections, labels),
    },
    { steps, pairs: models[0]?.examples.paths.map((p) => ({ from: p.from, to: p.to })) ?? [] },
  );
}

/** Per MOA: the mean over its treatments of a score, per seed; then mean ± sd over seeds. */
function perMoa(
  m: ModelMeasurements,
  f: (
    r: { direction: { cosine: number; gain: number }; control: { cosine: number; gain: number } },
  ) => number,
): Map<string, SeedScore> {
  const moas = new Set<string>();
  for (const s of m.seeds) for (const r of s.treatments?.results ?? []) moas.add(r.moa ?? "unannotated");
  return new Map(
    [...moas].sort().map((moa) => [
      moa,
      seedScore(
        m.seeds.map((s) =>
          mean((s.treatments?.results ?? []).filter((r) => (r.moa ?? "unannotated") === moa).map(f))
        ),
      ),
    ]),
  );
}

/** A dot chart: per MOA, the direction's and the random control's score (mean over seeds, ± sd). */
function moaChart(
  direction: Map<string, SeedScore>,
  control: Map<string, SeedScore>,
  label: string,
  domain?: [number, number],
): Promise<Panel> {
  const rows = [...direction].flatMap(([moa, s]) => [
    { moa, kind: "treatment vector", mean: s.mean, sd: s.sd },
    { moa, kind: "random direction", mean: control.get(moa)!.mean, sd: control.get(moa)!.sd },
  ]).filter((r) => Number.isFinite(r.mean));
  return plotPanel((Plot) => ({
    width: 380,
    height: 50 + direction.size * 22 + 30,
    marginLeft: 150,
    x: { label, grid: true, domain, nice: !domain },
    y: { domain: [...direction.keys()], label: null },
    color: { domain: ["treatment vector", "random direction"], range: ["#d62728", "#7f7f7f"], legend: false },
    marks: [
      Plot.ruleX([0]),
      Plot.ruleY(rows, {
        y: "moa",
        x1: (r: { mean: number; sd: number }) => r.mean - r.sd,
        x2: (r: { mean: number; sd: number }) => r.mean + r.sd,
        stroke: "kind",
      }),
      Plot.dot(rows, { x: "mean", y: "moa", fill: "kind", r: 3.5 }),
    ],
  }));
}

/** Fig.: treatment vectors added to held-out DMSO cells, and how well they move toward the treated cells. */
export async function treatmentVectorFigure(
  out: string,
  models: readonly ModelMeasurements[],
  size: number,
): Promise<WrittenFigure> {
  const sections: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {};
  for (const m of models) {
    const v = m.examples.vectors;
    const cosine = perMoa(m, (r) => r.direction.cosine), cosineControl = perMoa(m, (r) => r.control.cosine);
    const gain = perMoa(m, (r) => r.direction.gain), gainControl = perMoa(m, (r) => r.control.gain);
    const overall = (
      f: (
        r: { direction: { cosine: number; gain: number }; control: { cosine: number; gain: number } },
      ) => number,
    ) => seedScore(m.seeds.map((s) => mean((s.treatments?.results ?? []).map(f))));
    const beats = seedScore(
      m.seeds.map((s) => {
        const rs = s.treatments?.results ?? [];
        return rs.length ? rs.filter((r) => r.direction.cosine > r.control.cosine).length / rs.length : NaN;
      }),
    );
    const summary = {
      seeds: seeds(m),
      treatments: m.seeds[0]?.treatments?.results.length ?? 0,
      features: m.seeds[0]?.treatments?.features ?? 0,
      cosine: overall((r) => r.direction.cosine),
      cosineControl: overall((r) => r.control.cosine),
      gain: overall((r) => r.direction.gain),
      gainControl: overall((r) => r.control.gain),
      beatsControl: beats,
    };
    data[m.key] = {
      summary,
      perMoa: Object.fromEntries(
        [...cosine.keys()].map((moa) => [moa, {
          cosine: cosine.get(moa),
          cosineControl: cosineControl.get(moa),
          gain: gain.get(moa),
          gainControl: gainControl.get(moa),
        }]),
      ),
      treatments: m.seeds.map((s) => ({ seed: s.seed, results: s.treatments?.results ?? [] })),
    };
    const parts: Panel[] = [];
    if (v) {
      const p = size * size * 3;
      const rows: TileRow[] = [{ label: `${CONTROL} (held out)`, images: v.base, n: v.n }];
      for (const r of v.rows) {
        const images = new Float32Array((v.n + r.realN) * p);
        images.set(r.decoded, 0);
        images.set(r.real, v.n * p);
        rows.push({ label: `+ ${r.moa ?? r.label}`, images, n: v.n + r.realN });
      }
      parts.push(
        rowsPanel(rows, size, {
          labelWidth: 170,
          columnLabels: Array.from({ length: v.n + 2 }, (_, k) => (k < v.n ? `cell ${k + 1}` : "real")),
        }),
      );
    }
    if (cosine.size) {
      parts.push(
        stack([
          await moaChart(cosine, cosineControl, "cosine(decoded shift, real shift)", [-1, 1]),
          await moaChart(gain, gainControl, "gain along the real shift"),
        ], { direction: "row", gap: 12 }),
      );
    }
    sections.push(stack(parts, { direction: "row", gap: 16 }));
    labels.push(
      `${m.name}: cosine ${formatSeedScore(summary.cosine)} (random direction ${
        formatSeedScore(summary.cosineControl)
      }), gain ${formatSeedScore(summary.gain)} (random ${
        formatSeedScore(summary.gainControl)
      }); ${summary.treatments} treatments, the vector beats its random direction in ${
        formatSeedScore(beats)
      } of them`,
    );
  }
  return writeFigure(
    out,
    "latent_treatment_vectors",
    {
      title: "Simulated experiments: a treatment's vector added to DMSO cells",
      caption:
        "A treatment's vector is the mean code of its cells minus the mean code of half the DMSO cells; it is added to the codes of the other, held-out DMSO cells, which are decoded (the paper's proposed simulated experiment, on real cells). " +
        "Left (first seed): held-out DMSO cells decoded, and the same cells plus the vector of one treatment of each MOA (its treatment with the most cells, chosen before measuring), with two real cells of that treatment. " +
        "Right: measured in classical CellProfiler-like features standardised by the held-out DMSO cells. Real shift: mean features of the treatment's real cells minus the held-out DMSO cells'; decoded shift: mean features of the decoded shifted cells minus the decoded unshifted cells' (so the decoder's own bias cancels). " +
        "Cosine: does the decoded shift point toward the treated cells; gain: how far along the real shift it goes (1: all the way). Grey: a random direction of the same length (the control). " +
        "Per MOA the mean over its treatments; dots are means over training seeds, bars ± sd.",
      body: labelled(sections, labels),
    },
    data,
  );
}

/** Fig.: the dose direction of one compound, followed and extrapolated. */
export async function doseFigure(
  out: string,
  models: readonly ModelMeasurements[],
  size: number,
  compound: { compound: string; moa: string | null; concentrations: readonly CellGroup[] } | null,
  alphas: readonly number[],
): Promise<WrittenFigure> {
  const sections: Panel[] = [];
  const labels: string[] = [];
  const data: Record<string, unknown> = {
    compound: compound && {
      compound: compound.compound,
      moa: compound.moa,
      concentrations: compound.concentrations.map((c) => ({ label: c.label, cells: c.indices.length })),
    },
    alphas,
  };
  for (const m of models) {
    const e = m.examples.dose;
    const direction = alphas.map((_, i) => seedScore(m.seeds.map((s) => s.dose?.direction[i].gain ?? NaN)));
    const control = alphas.map((_, i) => seedScore(m.seeds.map((s) => s.dose?.control[i].gain ?? NaN)));
    const cosine = alphas.map((_, i) => seedScore(m.seeds.map((s) => s.dose?.direction[i].cosine ?? NaN)));
    const real = m.seeds[0]?.dose?.real ?? [];
    data[m.key] = { seeds: seeds(m), gain: direction, gainControl: control, cosine, real };
    const parts: Panel[] = [];
    if (e) {
      const rows: TileRow[] = [
        ...alphas.map((a, i) => ({ label: `low + ${a}·v`, images: e.decoded[i], n: e.n })),
        ...e.real.map((r) => ({ label: `real ${r.label.split(" @ ")[1]} µM`, images: r.images, n: r.n })),
      ];
      parts.push(rowsPanel(rows, size, { labelWidth: 120 }));
      const pts = alphas.flatMap((a, i) => [
        { alpha: a, kind: "dose direction", mean: direction[i].mean, sd: direction[i].sd },
        { alpha: a, kind: "random direction", mean: control[i].mean, sd: control[i].sd },
      ]).filter((p) => Number.isFinite(p.mean));
      parts.push(
        await plotPanel((Plot) => ({
          width: 360,
          height: 260,
          marginRight: 110,
          x: { label: "α (multiples of the low → high vector)", ticks: [...alphas] },
          y: { label: "gain along the real low → high shift", grid: true },
          color: { domain: ["dose direction", "random direction"], range: ["#d62728", "#7f7f7f"] },
          marks: [
            Plot.ruleY(real, { y: "gain", stroke: "#1f77b4", strokeDasharray: "3,3" }),
            Plot.text(real, {
              y: "gain",
              frameAnchor: "right",
              text: (r: { label: string }) => `real ${r.label.split(" @ ")[1]} µM`,
              fill: "#1f77b4",
              dx: 104,
              textAnchor: "end",
              fontSize: 9,
            }),
            Plot.link(pts, {
              x1: "alpha",
              x2: "alpha",
              y1: (p: { mean: number; sd: number }) => p.mean - p.sd,
              y2: (p: { mean: number; sd: number }) => p.mean + p.sd,
              stroke: "kind",
            }),
            Plot.lineY(pts, { x: "alpha", y: "mean", stroke: "kind", marker: "circle" }),
          ],
        })),
      );
    }
    sections.push(stack(parts, { direction: "row", gap: 16 }));
    const at = (a: number) => alphas.indexOf(a);
    labels.push(
      `${m.name}: gain at α = 1 ${at(1) >= 0 ? formatSeedScore(direction[at(1)]) : "–"} (random ${
        at(1) >= 0 ? formatSeedScore(control[at(1)]) : "–"
      }); at α = ${alphas.at(-1)} ${formatSeedScore(direction.at(-1)!)} (random ${
        formatSeedScore(control.at(-1)!)
      })`,
    );
  }
  return writeFigure(
    out,
    "latent_dose_direction",
    {
      title: `The dose direction${
        compound ? ` of ${compound.compound}${compound.moa ? ` (${compound.moa})` : ""}` : ""
      }, extrapolated`,
      caption:
        "v = mean code of the compound's cells at its highest concentration minus at its lowest; the lowest concentration's cells plus α·v, decoded (rows; α = 1 should look like the highest concentration, α > 1 extrapolates). " +
        "Chart: the decoded cells' shift in standardised classical features (from α = 0) along the real low → high shift (gain; 1 = the highest concentration's real cells), beside a random direction of the same length; " +
        "dashed: where each real concentration lies on that axis. Mean ± sd over training seeds; images from the first seed.",
      body: labelled(sections, labels),
    },
    data,
  );
}
