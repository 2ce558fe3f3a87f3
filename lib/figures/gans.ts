/**
 * The three GANs of the figures, in the paper's table order, with their display names, and the short
 * display names of every feature set (the GANs', the classical features, the untrained discriminator).
 * @module
 */

/** The three GANs, in table order, with their display names. */
export const GANS = [["dcgan", "DCGAN"], ["wgan", "WGAN-GP"], ["lsgan", "LSGAN"]] as const;
/** A GAN's key. */
export type GanKey = (typeof GANS)[number][0];

/** Short display names of the feature sets (the GANs' from {@link GANS}). */
export const SET_NAMES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(GANS),
  classical: "Classical",
  random: "Random D",
};
