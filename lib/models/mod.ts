/**
 * The GANs of Goldsborough et al. (2017) in TensorFlow.js: backend selection, the network, its losses,
 * the training loop with checkpoints, weight files, and feature extraction.
 *
 * A `train` task: `selectBackend(choice)` → `train(crops, options)` → `saveGan(result.gan, dir)`.
 * An `extract` task: `selectBackend(choice)` → `loadGan(dir)` → `encodeLatents(gan, crops)`.
 *
 * @module
 */
export {
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendName,
  type BackendSelection,
  selectBackend,
} from "./backend.ts";
export { channels, Gan, GAN_LOSSES, type GanConfig, ganConfig, type GanLoss, weightSpecs } from "./gan.ts";
export {
  DEFAULT_LEARNING_RATES,
  type LossCurves,
  type StepLosses,
  train,
  TrainingDivergedError,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  type TrainSettings,
  trainSettings,
} from "./train.ts";
export { loadGan, readWeights, saveGan, writeWeights } from "./weights.ts";
export { encodeLatents, type EncodeOptions } from "./encode.ts";
