/**
 * The tasks of every model of the registry (lib/models/registry.ts): its training (`train_<id>`,
 * tasks/train.ts) and its discriminator's features (`extract_<id>`, tasks/extract.ts); the untrained control
 * (`extract_random`, from the control model's training); and the feature-set tasks by feature-set id, the
 * inputs of every task that reads them all. Adding a model to the registry adds its tasks here.
 * @module
 */
import {
  CONTROL_MODEL,
  type EncoderId,
  FEATURE_SET_IDS,
  FEATURE_SETS,
  type GanId,
  hasEncoder,
  isGan,
  MODELS,
} from "../lib/models/registry.ts";
import { extractTask, randomTask } from "./extract.ts";
import { extractClassical } from "./extract_classical.ts";
import { trainTask } from "./train.ts";

/** Each model's training task, in registry order. */
export const TRAIN_TASKS = MODELS.map((m) => trainTask(m));

/** Each model's feature task, in registry order. */
export const EXTRACT_TASKS = MODELS.map((m, i) => extractTask(m, TRAIN_TASKS[i]));

/** The feature tasks of the second views of models (feature sets with their own `layers`: the BiGAN's D). */
export const VIEW_TASKS = FEATURE_SETS.flatMap((s) => {
  const i = MODELS.findIndex((m) => m.id === s.model);
  return s.layers && i >= 0
    ? [extractTask(MODELS[i], TRAIN_TASKS[i], { id: s.id, label: s.label, layers: s.layers })]
    : [];
});

/** The untrained control: the control model's discriminators at initialisation. */
export const extractRandom = randomTask(TRAIN_TASKS[MODELS.findIndex((m) => m.id === CONTROL_MODEL)]);

/** The GANs' training tasks by model id (the figures' inputs: generated cells need a generator of a GAN). */
export const GAN_TRAININGS = Object.fromEntries(
  MODELS.flatMap((m, i) => isGan(m) ? [[m.id, TRAIN_TASKS[i]]] : []),
) as Readonly<Record<GanId, (typeof TRAIN_TASKS)[number]>>;

/** The training tasks of the models with an encoder, by model id (the latent-space figures of real cells). */
export const ENCODER_TRAININGS = Object.fromEntries(
  MODELS.flatMap((m, i) => hasEncoder(m) ? [[m.id, TRAIN_TASKS[i]]] : []),
) as Readonly<Record<EncoderId, (typeof TRAIN_TASKS)[number]>>;

/** The task of each feature set, by feature-set id, in table order. */
export const FEATURE_SET_INPUTS: Readonly<
  Record<
    string,
    | (typeof EXTRACT_TASKS)[number]
    | (typeof VIEW_TASKS)[number]
    | typeof extractClassical
    | typeof extractRandom
  >
> = Object.fromEntries(
  FEATURE_SET_IDS.map((id) => [
    id,
    id === "classical"
      ? extractClassical
      : id === "random"
      ? extractRandom
      : [...EXTRACT_TASKS, ...VIEW_TASKS].find((t) => t.name === `extract_${id}`)!,
  ]),
);
