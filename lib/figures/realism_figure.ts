/**
 * The realism figure: how far generated cells are from real ones (realism.ts: Fréchet distance, 1-NN
 * two-sample accuracy, spread) in classical features, in a random discriminator's latent space and in each
 * trained discriminator's, for every training seed of every GAN, with the mean ± sd over seeds and the
 * issue's goals ({@link REALISM_GOALS}) checked per seed.
 * @module
 */
import { CONTROL_MODEL } from "../models/registry.ts";
import { Gan } from "../models/gan.ts";
import { classicalFeaturesBatch } from "../profiling/classical.ts";
import { notePanel, scorePanel } from "./charts.ts";
import { type GanKey, GANS } from "./gans.ts";
import type { FigureHooks, FigureParams } from "./figure_params.ts";
import { fmt } from "./format.ts";
import { type ImageGenerator, normalLatents } from "./latent.ts";
import { frechetDistance, oneNnAccuracy, spreadRatio, standardize } from "./realism.ts";
import { discriminatorFeatures, ganGenerator } from "./sampling.ts";
import { formatSeedScore, type SeedScore, seedScore } from "./seed_stats.ts";
import { stack, writeFigure, type WrittenFigure } from "./svg.ts";

/** One training seed of a GAN and its generator. */
export interface SeedGenerator {
  seed: number;
  generator: ImageGenerator;
}

/** Everything the realism figure needs. */
export interface RealismInputs {
  realA: Float32Array;
  realB: Float32Array;
  n: number;
  size: number;
  /** Each GAN's first seed's model: its D is a feature space; LSGAN's config shapes the random D and G. */
  gans: ReadonlyMap<GanKey, Gan>;
  /** Each GAN's generator of every training seed, in seed order (the first seed's first). */
  seeds: ReadonlyMap<GanKey, readonly SeedGenerator[]>;
  params: FigureParams;
  log: FigureHooks["log"];
}

/** The scores of one set (a second set of real cells, a GAN's seed, an untrained G) against real cells. */
export interface ScoreRow {
  /** Display name: the GAN's, with the seed when the GAN has several. */
  generator: string;
  /** The GAN and training seed, or null (the real reference, the untrained G). */
  gan: GanKey | null;
  seed: number | null;
  fd: number;
  fdMean: number;
  fdCov: number;
  oneNn: number;
  oneNnReal: number;
  oneNnGenerated: number;
  /** Mean distance to the centroid, this set over the real cells' (1: as varied; collapse ≪ 1). */
  spread: number;
  imputed: number;
}

/** The scores of one feature space. */
export interface SpaceScores {
  space: string;
  dims: number;
  rows: ScoreRow[];
}

/** A set scored against real A: its display name and, for a GAN's, the GAN and seed. */
export interface ScoredSet {
  generator: string;
  gan?: GanKey | null;
  seed?: number | null;
}

/** FD, 1-NN accuracy and spread of every set against `sets[0]` (real A), in one feature space. */
export function scoreSpace(
  space: string,
  names: readonly (string | ScoredSet)[],
  sets: readonly Float32Array[],
  d: number,
): SpaceScores {
  const st = standardize(sets, d);
  const k = st.columns.length;
  const rows = names.slice(1).map((name, i): ScoreRow => {
    const s = typeof name === "string" ? { generator: name } : name;
    const fd = frechetDistance(st.sets[0], st.sets[i + 1], k);
    const nn = oneNnAccuracy(st.sets[0], st.sets[i + 1], k);
    return {
      generator: s.generator,
      gan: s.gan ?? null,
      seed: s.seed ?? null,
      fd: fd.distance,
      fdMean: fd.meanTerm,
      fdCov: fd.covTerm,
      oneNn: nn.accuracy,
      oneNnReal: nn.accuracyA,
      oneNnGenerated: nn.accuracyB,
      spread: spreadRatio(st.sets[0], st.sets[i + 1], k),
      imputed: st.imputed[i + 1],
    };
  });
  return { space, dims: k, rows };
}

/** One GAN's scores over its training seeds, per feature space. */
export interface GanRealism {
  gan: GanKey;
  name: string;
  seeds: number[];
  spaces: { space: string; fd: SeedScore; oneNn: SeedScore; spread: SeedScore }[];
}

/** Each GAN's scores over its seeds, from the per-seed rows of `spaces`. */
export function summarizeSeeds(spaces: readonly SpaceScores[]): GanRealism[] {
  return GANS.map(([gan, name]) => {
    const of = (s: SpaceScores) => s.rows.filter((r) => r.gan === gan);
    return {
      gan,
      name,
      seeds: of(spaces[0]).map((r) => r.seed!),
      spaces: spaces.map((s) => ({
        space: s.space,
        fd: seedScore(of(s).map((r) => r.fd)),
        oneNn: seedScore(of(s).map((r) => r.oneNn)),
        spread: seedScore(of(s).map((r) => r.spread)),
      })),
    };
  });
}

/** A goal of the realism scores, measured per seed in one space. */
export interface RealismGoal {
  goal: string;
  /** The GANs it applies to (null: every GAN). */
  gans: readonly GanKey[] | null;
  space: string;
  metric: "spread" | "oneNn";
  /** The range a seed's score must fall in. */
  range: [number, number];
}

/** The goals of issue 14, both in classical features (the space that owes nothing to any discriminator). */
export const REALISM_GOALS: readonly RealismGoal[] = [
  {
    goal: "no collapse: spread within 20 % of the real cells'",
    gans: null,
    space: "classical",
    metric: "spread",
    range: [0.8, 1.2],
  },
  {
    goal: "LSGAN's 1-NN two-sample accuracy ≤ 0.90",
    gans: ["lsgan"],
    space: "classical",
    metric: "oneNn",
    range: [0, 0.9],
  },
];

/** A goal checked for one GAN: each seed's score and whether it is in range. */
export interface GoalCheck {
  goal: string;
  gan: GanKey;
  name: string;
  space: string;
  metric: RealismGoal["metric"];
  range: [number, number];
  seeds: { seed: number; value: number; met: boolean }[];
  /** Seeds that meet it, of `seeds.length`. */
  met: number;
}

/** Checks every goal for every GAN it applies to, per seed. */
export function checkGoals(
  spaces: readonly SpaceScores[],
  goals: readonly RealismGoal[] = REALISM_GOALS,
): GoalCheck[] {
  return goals.flatMap((g) => {
    const space = spaces.find((s) => s.space === g.space);
    if (!space) return [];
    return GANS.filter(([gan]) => g.gans === null || g.gans.includes(gan)).map(([gan, name]) => {
      const seeds = space.rows.filter((r) => r.gan === gan).map((r) => {
        const value = r[g.metric];
        return { seed: r.seed!, value, met: value >= g.range[0] && value <= g.range[1] };
      });
      return {
        goal: g.goal,
        gan,
        name,
        space: g.space,
        metric: g.metric,
        range: g.range,
        seeds,
        met: seeds.filter((s) => s.met).length,
      };
    });
  });
}

/** A goal check in one line: `LSGAN: partly met (1 of 2 seeds: 0.93, 0.88)`. */
function goalLine(c: GoalCheck): string {
  const all = c.seeds.length;
  const verdict = c.met === all ? "met" : c.met === 0 ? "not met" : "partly met";
  return `${c.name}: ${verdict} (${c.met} of ${all} seed${all === 1 ? "" : "s"}: ${
    c.seeds.map((s) => fmt(s.value, 3)).join(", ")
  })`;
}

/**
 * Realism: Fréchet distance, 1-NN accuracy and spread of real versus generated cells, for every seed of every
 * GAN, in several feature spaces.
 */
export async function realismFigure(out: string, R: RealismInputs): Promise<WrittenFigure> {
  const { n, size, params: P } = R;
  const control = R.gans.get(CONTROL_MODEL)!;
  const randomD = new Gan(control.config, undefined, P.seed + 17);
  const untrained = new Gan(control.config, undefined, P.seed + 23);
  try {
    const names: ScoredSet[] = [{ generator: "real A" }, { generator: "real B (reference)" }];
    const sets: Float32Array[] = [R.realA, R.realB];
    for (const [key, name] of GANS) {
      const seeds = R.seeds.get(key)!;
      for (const { seed, generator: g } of seeds) {
        sets.push(await g.generate(normalLatents(n, g.latentDim, P.seed + 400), n));
        names.push({ generator: seeds.length > 1 ? `${name} (seed ${seed})` : name, gan: key, seed });
      }
    }
    sets.push(
      await ganGenerator(untrained, P.batchSize).generate(
        normalLatents(n, control.config.latentDim, P.seed + 400),
        n,
      ),
    );
    names.push({ generator: "untrained G" });
    const to01 = (x: Float32Array) => x.map((v) => (v + 1) / 2);
    const classical = sets.map((x) => classicalFeaturesBatch(to01(x), n, size));
    const D = classical[0].length / n;
    const spaces: SpaceScores[] = [scoreSpace("classical", names, classical, D)];
    const encode = (gan: Gan) => Promise.all(sets.map((x) => discriminatorFeatures(gan, x, P.batchSize)));
    spaces.push(scoreSpace("random D", names, await encode(randomD), randomD.config.featureDim));
    for (const [key, name] of GANS) {
      const g = R.gans.get(key)!;
      // The profile network: D, or a BiGAN's encoder E (lib/models/encode.ts).
      const net = g.config.loss === "bigan" ? "E" : "D";
      spaces.push(scoreSpace(`${net} of ${name}`, names, await encode(g), g.config.latentDim));
    }
    for (const s of spaces) {
      R.log.info(
        `realism, ${s.space} (${s.dims} dims): ` +
          s.rows.map((r) =>
            `${r.generator} FD ${fmt(r.fd)} 1-NN ${fmt(r.oneNn, 2)} spread ${fmt(r.spread, 2)}`
          )
            .join("; "),
      );
    }
    const summary = summarizeSeeds(spaces);
    const goals = checkGoals(spaces);
    for (const c of goals) R.log.info(`realism goal, ${c.goal}: ${goalLine(c)}`);
    const anySeeds = summary.some((g) => g.seeds.length > 1);

    /** Per panel: the GANs (mean over seeds, each seed a dot), then the untrained G; real B is the reference. */
    const panelRows = (s: SpaceScores, metric: "fd" | "oneNn" | "spread") => {
      const i = spaces.indexOf(s);
      return [
        ...summary.map((g) => {
          const v = g.spaces[i][metric];
          return {
            generator: g.seeds.length > 1 ? `${g.name} (${g.seeds.length} seeds)` : g.name,
            value: v.mean,
            sd: v.sd,
            values: v.values,
          };
        }),
        ...s.rows.filter((r) => r.gan === null && r !== s.rows[0]).map((r) => ({
          generator: r.generator,
          value: r[metric],
        })),
      ];
    };
    const width = anySeeds ? 440 : 420;
    const panelsOf = async (s: SpaceScores, withSpread: boolean) => {
      const ref = s.rows[0];
      return [
        await scorePanel(panelRows(s, "fd"), {
          label: `Fréchet distance (${s.space} space) →`,
          reference: ref.fd,
          referenceLabel: "real vs real",
          width,
        }),
        await scorePanel(panelRows(s, "oneNn"), {
          label: "1-NN two-sample accuracy →",
          reference: 0.5,
          referenceLabel: "indistinguishable",
          domain: [0, 1],
          width,
        }),
        ...(withSpread
          ? [
            await scorePanel(panelRows(s, "spread"), {
              label: "spread, generated / real (shaded: goal) →",
              reference: ref.spread,
              referenceLabel: "real vs real",
              band: REALISM_GOALS[0].range,
              width,
            }),
          ]
          : []),
      ];
    };
    const classicalPanels = await panelsOf(spaces[0], true);
    const randomPanels = await panelsOf(spaces[1], false);
    const cross = spaces.slice(2).map((s) => {
      const own = s.space.replace(/^[DE] of /, "");
      const firsts = GANS.map(([key]) => s.rows.find((r) => r.gan === key)!);
      return `${s.space}: ` + firsts.map((r) =>
        `${r.generator}${
          r.generator === own || r.generator.startsWith(`${own} (`) ? ` (own ${s.space[0]})` : ""
        } FD ${fmt(r.fd)}, 1-NN ${fmt(r.oneNn, 2)}`
      ).join("; ") +
        ` — real vs real FD ${fmt(s.rows[0].fd)}, 1-NN ${fmt(s.rows[0].oneNn, 2)}`;
    });
    const perGan = summary.map((g) => {
      const c = g.spaces[0];
      return `${g.name}, ${g.seeds.length} seed${g.seeds.length === 1 ? "" : "s"} (${
        g.seeds.join(", ")
      }), classical features: FD ${formatSeedScore(c.fd)}, 1-NN ${formatSeedScore(c.oneNn, 3)}, spread ${
        formatSeedScore(c.spread, 2)
      }`;
    });
    const goalLines = REALISM_GOALS.map((g) =>
      `Goal, ${g.goal} (${g.space}): ` + goals.filter((c) => c.goal === g.goal).map(goalLine).join("; ")
    );
    const ref = spaces[0].rows[0];
    const dims = spaces[0].dims;
    const seedText = anySeeds
      ? `Each GAN is scored for every training seed (${
        summary.map((g) => `${g.name} ${g.seeds.length}`).join(", ")
      }): bars are the mean over seeds, whiskers ± 1 sd, dots the seeds. `
      : "";
    return await writeFigure(
      out,
      "realism",
      {
        title: "Realism of generated cells: Fréchet distance, 1-NN two-sample test and spread",
        caption:
          `${n} real crops against ${n} samples of each generator (and of an untrained G, for scale). ${seedText}` +
          `Top: the ${dims} classical CellProfiler-like features (of ${D}; finite and varying on real cells), standardised by the real cells. ` +
          `Middle: the 100-d latent layer of a randomly initialised discriminator, trained on nothing. ` +
          `Fréchet distance: ‖μ₁ − μ₂‖² + tr(C₁ + C₂ − 2(C₁^½C₂C₁^½)^½), biased upward at finite n, so the dashed line is two disjoint sets of ${n} real cells (classical: ${
            fmt(ref.fd)
          }). ` +
          `1-NN accuracy: leave-one-out nearest-neighbour classification of the pooled cells as real or generated (0.5: indistinguishable, 1: fully separable; real vs real ${
            fmt(ref.oneNn, 2)
          }). ` +
          `Spread: the generated cells' mean distance to their centroid over the real cells' in the standardised classical features (1: as varied as real cells; mode collapse ≪ 1; real vs real ${
            fmt(ref.spread, 2)
          }); shaded: the goal, within 20 %. ` +
          `Classical features, mean ± sd over seeds: ${
            summary.map((g) =>
              `${g.name} FD ${formatSeedScore(g.spaces[0].fd)}, 1-NN ${
                formatSeedScore(g.spaces[0].oneNn, 3)
              }, spread ${formatSeedScore(g.spaces[0].spread, 2)}`
            ).join("; ")
          }. ` +
          `Goals, per seed: ${
            REALISM_GOALS.map((g) =>
              `${g.goal}: ${goals.filter((c) => c.goal === g.goal).map(goalLine).join("; ")}`
            ).join(". ")
          }. ` +
          `Bottom: the same in the latent space of each trained GAN's discriminator (its first seed's; "own D" was trained against that seed's samples).`,
        body: stack([
          stack(classicalPanels, {
            direction: "row",
            gap: 24,
            labels: [
              "Classical features: Fréchet distance",
              "Classical features: 1-NN accuracy",
              "Classical features: spread",
            ],
          }),
          stack(randomPanels, {
            direction: "row",
            gap: 24,
            labels: ["Random discriminator: Fréchet distance", "Random discriminator: 1-NN accuracy"],
          }),
          notePanel([...perGan, ...goalLines, ...cross], 1300),
        ], { gap: 16 }),
      },
      {
        n,
        size,
        seeds: Object.fromEntries(summary.map((g) => [g.gan, g.seeds])),
        spaces,
        gans: summary,
        goals,
      },
    );
  } finally {
    randomD.dispose();
    untrained.dispose();
  }
}
