/**
 * The tasks of every model of the registry (lib/models/registry.ts): its training (`train_<id>`,
 * tasks/train.ts) and its discriminator's features (`extract_<id>`, tasks/extract.ts); the untrained control
 * (`extract_random`, from the control model's training); and the feature-set tasks by feature-set id, the
 * inputs of every task that reads them all. Adding a model to the registry adds its tasks here.
 * @module
 */
import { CONTROL_MODEL, FEATURE_SET_IDS, type GanId, isGan, MODELS } from "../lib/models/registry.ts";
import { extractClassical, extractTask, randomTask } from "./extract.ts";
import { trainTask } from "./train.ts";

/** Each model's training task, in registry order. */
export const TRAIN_TASKS = MODELS.map((m) => trainTask(m));

/** Each model's feature task, in registry order. */
export const EXTRACT_TASKS = MODELS.map((m, i) => extractTask(m, TRAIN_TASKS[i]));

/** The untrained control: the control model's discriminators at initialisation. */
export const extractRandom = randomTask(TRAIN_TASKS[MODELS.findIndex((m) => m.id === CONTROL_MODEL)]);

/** The GANs' training tasks by model id (the figures' inputs: generated cells need a generator of a GAN). */
export const GAN_TRAININGS = Object.fromEntries(
  MODELS.flatMap((m, i) => isGan(m) ? [[m.id, TRAIN_TASKS[i]]] : []),
) as Readonly<Record<GanId, (typeof TRAIN_TASKS)[number]>>;

/** The task of each feature set, by feature-set id, in table order. */
export const FEATURE_SET_INPUTS: Readonly<
  Record<string, (typeof EXTRACT_TASKS)[number] | typeof extractClassical | typeof extractRandom>
> = Object.fromEntries(
  FEATURE_SET_IDS.map((id) => [
    id,
    id === "classical"
      ? extractClassical
      : id === "random"
      ? extractRandom
      : EXTRACT_TASKS[MODELS.findIndex((m) => m.id === id)],
  ]),
);
