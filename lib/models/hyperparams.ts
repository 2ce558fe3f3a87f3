/**
 * Training defaults that a pipeline declares as params, kept apart from the training code so that declaring
 * them does not load TensorFlow.js.
 * @module
 */

/** The losses (lib/models/gan.ts's `GanLoss`), for params. */
export const GAN_LOSS_NAMES = ["dcgan", "lsgan", "wgan", "vae", "bigan"] as const;

/**
 * The learning rates (D, G) per loss: the defaults. The GANs': the authors'. The VAE's (encoder = D's body,
 * decoder = G): one rate for both. The BiGAN's: Donahue et al.'s 2e-4 for D, and for G and its encoder E
 * (E takes G's rate).
 */
export const DEFAULT_LEARNING_RATES: Readonly<
  Record<(typeof GAN_LOSS_NAMES)[number], { d: number; g: number }>
> = {
  dcgan: { d: 5e-5, g: 1e-5 },
  lsgan: { d: 7e-5, g: 2e-4 },
  wgan: { d: 7e-5, g: 2e-4 },
  vae: { d: 5e-4, g: 5e-4 },
  bigan: { d: 2e-4, g: 2e-4 },
};

/**
 * Augmentations of the real crops while training: `none`, or `dihedral` (each crop flipped and rotated by a
 * multiple of 90°, one of the 8 symmetries of the square drawn per crop and epoch: a cell has no preferred
 * orientation in the field).
 */
export type Augmentation = "none" | "dihedral";

/** The augmentation names. */
export const AUGMENTATIONS: readonly Augmentation[] = ["none", "dihedral"];

/**
 * How G upsamples before each convolution: `nearest` (the authors' UpSampling2D) or `bilinear` (interpolated;
 * no 2-pixel checkerboard from the filter's phases: lib/models/upsample_conv.ts).
 */
export type Upsampling = "nearest" | "bilinear";

/** The upsampling names. */
export const UPSAMPLINGS: readonly Upsampling[] = ["nearest", "bilinear"];
