/**
 * The one list of models and feature sets. Tasks (`tasks/models.ts` makes each model's training and feature
 * tasks), Table 1, the figures and the site (through `evaluate/models.json`) follow from it: adding a model is
 * its model code and one entry here.
 *
 * Nothing here changes what a task computes: what does (the loss, the learning rates) reaches a task through
 * its params and its name, so the training and feature tasks' code digests do not cover this file, and adding
 * a model does not retrain the others.
 *
 * @module
 */
import type { GanLoss } from "./gan.ts";

/** A row of the paper's Table 1 that a model stands for. */
export interface PaperResult {
  /** The method as the paper names it. */
  method: string;
  /** Its NSC accuracy (fraction), final text. */
  nsc: number;
  /** The preprint's value, where it differs. */
  draft?: number;
  /** Where the number comes from. */
  source: string;
}

/** One trained model. */
export interface ModelSpec {
  /** Feature-set name and task suffix (`train_<id>`, `extract_<id>`), `[a-z][a-z0-9]*`. */
  id: string;
  /** Display name. */
  label: string;
  /**
   * The model family (the training loop's variant): a GAN, the VAE, or the BiGAN (a GAN with an encoder).
   * GANs and the BiGAN have a generator of N(0, I) trained adversarially: the figures of generated cells show
   * them. The VAE and the BiGAN have an encoder of real cells into z: the latent-space figures show them.
   */
  kind: "gan" | "vae" | "bigan";
  /** The GAN loss. */
  loss: GanLoss;
  /** The objective in words (the site's model page). */
  objective: string;
  /** The paper's result for it, if the paper has one. */
  paper: PaperResult | null;
}

/** The models, in the paper's table order. */
export const MODELS = [
  {
    id: "dcgan",
    label: "DCGAN",
    kind: "gan",
    loss: "dcgan",
    objective: "cross-entropy",
    paper: { method: "DCGAN", nsc: 0.51, draft: 0.43, source: "Goldsborough et al. 2017" },
  },
  {
    id: "wgan",
    label: "WGAN-GP",
    kind: "gan",
    loss: "wgan",
    objective: "Wasserstein critic loss with gradient penalty",
    paper: { method: "WGAN", nsc: 0.56, draft: 0.45, source: "Goldsborough et al. 2017" },
  },
  {
    id: "lsgan",
    label: "LSGAN",
    kind: "gan",
    loss: "lsgan",
    objective: "least squares",
    paper: { method: "LSGAN", nsc: 0.68, draft: 0.63, source: "Goldsborough et al. 2017" },
  },
  {
    id: "vae",
    label: "VAE",
    kind: "vae",
    loss: "vae",
    objective: "reconstruction (squared error) + KL divergence; features: the encoder's mean μ",
    paper: { method: "VAE", nsc: 0.49, source: "Pawlowski 2016 (as cited)" },
  },
  {
    id: "bigan",
    label: "BiGAN",
    kind: "bigan",
    loss: "bigan",
    objective:
      "least squares on (image, code) pairs: (G(z), z) against (x, E(x)); features: the encoder's E(x)",
    paper: {
      method: "BiGAN",
      nsc: 0.70,
      source: "the authors' repository's notes (README, poster), not the paper: 70 %, 72 % DMSO-whitened",
    },
  },
] as const satisfies readonly ModelSpec[];

/** A model's id. */
export type ModelId = (typeof MODELS)[number]["id"];
/** A GAN's id (the models of kind `gan` or `bigan`: adversarial generators, the figures of generated cells). */
export type GanId = Extract<(typeof MODELS)[number], { kind: "gan" | "bigan" }>["id"];
/** The id of a model with an encoder of real cells into G's z (kind `vae` or `bigan`: the latent-space figures). */
export type EncoderId = Extract<(typeof MODELS)[number], { kind: "vae" | "bigan" }>["id"];

/** Whether a model's generator is adversarial (its samples are the figures' generated cells). */
export function isGan(m: ModelSpec): boolean {
  return m.kind === "gan" || m.kind === "bigan";
}

/** Whether a model encodes real cells into G's latent space. */
export function hasEncoder(m: ModelSpec): boolean {
  return m.kind === "vae" || m.kind === "bigan";
}

/** The model whose untrained discriminator is the control feature set (`random`). */
export const CONTROL_MODEL: GanId = "lsgan";

/** One feature set: a model's, or one made without a model. */
export interface FeatureSetSpec {
  id: string;
  /** Display name in Table 1. */
  label: string;
  /** Short name in figure legends. */
  short: string;
  /** The model it comes from (null for the classical features). */
  model: string | null;
  /**
   * The layers its feature task reads by default, for a second view of a model (lib/models/encode.ts);
   * a model's own set reads its profile (`latent`).
   */
  layers?: readonly ("latent" | "pooled" | "critic")[];
}

/**
 * The feature sets, in table order: each model's, a second view of a model (the BiGAN's D beside its E), the
 * classical features, the untrained control.
 */
export const FEATURE_SETS: readonly FeatureSetSpec[] = [
  ...MODELS.map((m) => ({ id: m.id, label: m.label, short: m.label, model: m.id })),
  { id: "bigan_d", label: "BiGAN D on (x, E(x))", short: "BiGAN D", model: "bigan", layers: ["critic"] },
  { id: "classical", label: "Classical (CellProfiler-like)", short: "Classical", model: null },
  { id: "random", label: "Random discriminator (control)", short: "Random D", model: CONTROL_MODEL },
];

/** The feature sets' ids, in table order. */
export const FEATURE_SET_IDS: readonly string[] = FEATURE_SETS.map((s) => s.id);

/** The registry as `evaluate` publishes it (`models.json`), for the site. */
export function registryJson(): {
  models: {
    id: string;
    label: string;
    kind: string;
    objective: string;
    train: string;
    paper: PaperResult | null;
  }[];
  featureSets: FeatureSetSpec[];
} {
  return {
    models: MODELS.map((m) => ({
      id: m.id,
      label: m.label,
      kind: m.kind,
      loss: m.loss,
      objective: m.objective,
      train: `train_${m.id}`,
      paper: m.paper,
    })),
    featureSets: [...FEATURE_SETS],
  };
}
