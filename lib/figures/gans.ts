/**
 * The GANs of the figures, in the paper's table order, with their display names, and the short display names
 * of every feature set: from the registry (lib/models/registry.ts).
 * @module
 */
import { type EncoderId, FEATURE_SETS, type GanId, hasEncoder, isGan, MODELS } from "../models/registry.ts";

/** A GAN's key. */
export type GanKey = GanId;

/** The GANs (the registry's adversarial generators: kinds `gan`, `bigan`), in table order, with their names. */
export const GANS: readonly (readonly [GanKey, string])[] = MODELS.flatMap((m) =>
  isGan(m) ? [[m.id as GanKey, m.label] as const] : []
);

/** The models with an encoder of real cells (the registry's VAE and BiGAN), with their display names. */
export const ENCODERS: readonly (readonly [EncoderId, string])[] = MODELS.flatMap((m) =>
  hasEncoder(m) ? [[m.id as EncoderId, m.label] as const] : []
);

/** Short display names of the feature sets. */
export const SET_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  FEATURE_SETS.map((s) => [s.id, s.short]),
);
