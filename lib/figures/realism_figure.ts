/**
 * The realism figure: how far generated cells are from real ones (realism.ts: Fréchet distance, 1-NN
 * two-sample accuracy) in classical features, in a random discriminator's latent space and in each trained
 * discriminator's.
 * @module
 */
import { Gan } from "../models/gan.ts";
import { classicalFeaturesBatch } from "../profiling/classical.ts";
import { notePanel, scorePanel } from "./charts.ts";
import { type GanKey, GANS } from "./gans.ts";
import type { FigureHooks, FigureParams } from "./figure_params.ts";
import { fmt } from "./format.ts";
import { type ImageGenerator, normalLatents } from "./latent.ts";
import { frechetDistance, oneNnAccuracy, standardize } from "./realism.ts";
import { discriminatorFeatures, ganGenerator } from "./sampling.ts";
import { stack, writeFigure, type WrittenFigure } from "./svg.ts";

/** Everything the realism figure needs. */
export interface RealismInputs {
  realA: Float32Array;
  realB: Float32Array;
  n: number;
  size: number;
  gans: ReadonlyMap<GanKey, Gan>;
  generators: ReadonlyMap<GanKey, ImageGenerator>;
  params: FigureParams;
  log: FigureHooks["log"];
}

/** The scores of one feature space. */
export interface SpaceScores {
  space: string;
  dims: number;
  rows: {
    generator: string;
    fd: number;
    fdMean: number;
    fdCov: number;
    oneNn: number;
    oneNnReal: number;
    oneNnGenerated: number;
    imputed: number;
  }[];
}

/** FD and 1-NN of every set against `sets[0]` (real A), in one feature space. */
export function scoreSpace(
  space: string,
  names: readonly string[],
  sets: readonly Float32Array[],
  d: number,
): SpaceScores {
  const st = standardize(sets, d);
  const k = st.columns.length;
  const rows = names.slice(1).map((generator, i) => {
    const fd = frechetDistance(st.sets[0], st.sets[i + 1], k);
    const nn = oneNnAccuracy(st.sets[0], st.sets[i + 1], k);
    return {
      generator,
      fd: fd.distance,
      fdMean: fd.meanTerm,
      fdCov: fd.covTerm,
      oneNn: nn.accuracy,
      oneNnReal: nn.accuracyA,
      oneNnGenerated: nn.accuracyB,
      imputed: st.imputed[i + 1],
    };
  });
  return { space, dims: k, rows };
}

/** Realism: Fréchet distance and 1-NN accuracy between real and generated cells in several feature spaces. */
export async function realismFigure(out: string, R: RealismInputs): Promise<WrittenFigure> {
  const { n, size, params: P } = R;
  const lsgan = R.gans.get("lsgan")!;
  const randomD = new Gan(lsgan.config, undefined, P.seed + 17);
  const untrained = new Gan(lsgan.config, undefined, P.seed + 23);
  try {
    const names = ["real A", "real B (reference)"];
    const sets: Float32Array[] = [R.realA, R.realB];
    for (const [key, name] of GANS) {
      const g = R.generators.get(key)!;
      sets.push(await g.generate(normalLatents(n, g.latentDim, P.seed + 400), n));
      names.push(name);
    }
    sets.push(
      await ganGenerator(untrained, P.batchSize).generate(
        normalLatents(n, lsgan.config.latentDim, P.seed + 400),
        n,
      ),
    );
    names.push("untrained G");
    const to01 = (x: Float32Array) => x.map((v) => (v + 1) / 2);
    const classical = sets.map((x) => classicalFeaturesBatch(to01(x), n, size));
    const D = classical[0].length / n;
    const spaces: SpaceScores[] = [scoreSpace("classical", names, classical, D)];
    const encode = (gan: Gan) => Promise.all(sets.map((x) => discriminatorFeatures(gan, x, P.batchSize)));
    spaces.push(scoreSpace("random D", names, await encode(randomD), randomD.config.featureDim));
    for (const [key, name] of GANS) {
      const g = R.gans.get(key)!;
      spaces.push(scoreSpace(`D of ${name}`, names, await encode(g), g.config.featureDim));
    }
    for (const s of spaces) {
      R.log.info(
        `realism, ${s.space} (${s.dims} dims): ` +
          s.rows.map((r) => `${r.generator} FD ${fmt(r.fd)} 1-NN ${fmt(r.oneNn, 2)}`).join("; "),
      );
    }
    const panelsOf = async (s: SpaceScores) => {
      const ref = s.rows[0];
      const gen = s.rows.slice(1);
      return [
        await scorePanel(gen.map((r) => ({ generator: r.generator, value: r.fd })), {
          label: `Fréchet distance (${s.space} space) →`,
          reference: ref.fd,
          referenceLabel: "real vs real",
          width: 420,
        }),
        await scorePanel(gen.map((r) => ({ generator: r.generator, value: r.oneNn })), {
          label: "1-NN two-sample accuracy →",
          reference: 0.5,
          referenceLabel: "indistinguishable",
          domain: [0, 1],
          width: 420,
        }),
      ];
    };
    const classicalPanels = await panelsOf(spaces[0]);
    const randomPanels = await panelsOf(spaces[1]);
    const cross = spaces.slice(2).map((s) => {
      const own = s.space.replace("D of ", "");
      return `${s.space}: ` + s.rows.slice(1, 4).map((r) =>
        `${r.generator}${r.generator === own ? " (own D)" : ""} FD ${fmt(r.fd)}, 1-NN ${fmt(r.oneNn, 2)}`
      ).join("; ") +
        ` — real vs real FD ${fmt(s.rows[0].fd)}, 1-NN ${fmt(s.rows[0].oneNn, 2)}`;
    });
    const ref = spaces[0].rows[0];
    return await writeFigure(
      out,
      "realism",
      {
        title: "Realism of generated cells: Fréchet distance and 1-NN two-sample test",
        caption:
          `${n} real crops against ${n} samples of each generator (and of an untrained G, for scale). Top: the ${
            spaces[0].dims
          } classical CellProfiler-like features (of ${D}; ` +
          `finite and varying on real cells), standardised by the real cells. Middle: the 100-d latent layer of a randomly initialised discriminator, trained on nothing. ` +
          `Fréchet distance: ‖μ₁ − μ₂‖² + tr(C₁ + C₂ − 2(C₁^½C₂C₁^½)^½), biased upward at finite n, so the dashed line is two disjoint sets of ${n} real cells (classical: ${
            fmt(ref.fd)
          }). ` +
          `1-NN accuracy: leave-one-out nearest-neighbour classification of the pooled cells as real or generated (0.5: indistinguishable, 1: fully separable; real vs real ${
            fmt(ref.oneNn, 2)
          }). ` +
          `Bottom: the same in the latent space of each trained GAN's discriminator ("own D" was trained against those samples).`,
        body: stack([
          stack(classicalPanels, {
            direction: "row",
            gap: 24,
            labels: ["Classical features: Fréchet distance", "Classical features: 1-NN accuracy"],
          }),
          stack(randomPanels, {
            direction: "row",
            gap: 24,
            labels: ["Random discriminator: Fréchet distance", "Random discriminator: 1-NN accuracy"],
          }),
          notePanel(cross, 900),
        ], { gap: 16 }),
      },
      { n, size, spaces },
    );
  } finally {
    randomD.dispose();
    untrained.dispose();
  }
}
