/**
 * Object-level accuracy of a segmentation against ground truth: predicted and true objects are paired when
 * their intersection over union exceeds a threshold (0.5 by default; above 0.5 a pairing is necessarily
 * one-to-one), giving true positives, false positives, false negatives, precision, recall and F1 — the
 * measure of the Data Science Bowl 2018 / Caicedo et al. 2019 at a single IoU.
 *
 * @module
 */

/** Matching counts and scores. */
export interface MatchResult {
  /** Predicted objects considered. */
  predicted: number;
  /** Ground-truth objects considered. */
  truth: number;
  /** Pairs with IoU above the threshold. */
  truePositives: number;
  /** Predicted objects without a partner. */
  falsePositives: number;
  /** True objects without a partner. */
  falseNegatives: number;
  /** TP / predicted. */
  precision: number;
  /** TP / truth. */
  recall: number;
  /** 2·P·R / (P + R). */
  f1: number;
  /** Mean IoU of the matched pairs. */
  meanIoU: number;
}

/** Options for {@linkcode matchObjects}. */
export interface MatchOptions {
  /** IoU a pair must exceed (default 0.5; must be ≥ 0.5 for one-to-one matching). */
  iou?: number;
  /**
   * True objects smaller than this are ignored (default 0): neither counted as misses nor, when a
   * predicted object overlaps one by more than half of its own area, as false positives.
   */
  minTruthArea?: number;
}

/**
 * Matches labelled objects of `predicted` to those of `truth` (label images of equal size, 0 =
 * background; labels need not be sequential).
 */
export function matchObjects(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  options: MatchOptions = {},
): MatchResult {
  if (predicted.length !== truth.length) {
    throw new RangeError(
      `matchObjects: expected label images of equal size, got ${predicted.length} and ${truth.length}`,
    );
  }
  const thr = options.iou ?? 0.5;
  if (thr < 0.5) throw new RangeError(`matchObjects: expected an IoU threshold ≥ 0.5, got ${thr}`);
  const pArea = new Map<number, number>(), tArea = new Map<number, number>();
  const inter = new Map<number, number>(); // key p * 2^21 + t
  const K = 2 ** 21;
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i], t = truth[i];
    if (p) pArea.set(p, (pArea.get(p) ?? 0) + 1);
    if (t) tArea.set(t, (tArea.get(t) ?? 0) + 1);
    if (p && t) {
      const k = p * K + t;
      inter.set(k, (inter.get(k) ?? 0) + 1);
    }
  }
  const minT = options.minTruthArea ?? 0;
  const ignoredT = new Set([...tArea].filter(([, a]) => a < minT).map(([t]) => t));
  const matchedP = new Set<number>(), matchedT = new Set<number>(), ignoredP = new Set<number>();
  let iouSum = 0;
  for (const [k, c] of inter) {
    const p = Math.floor(k / K), t = k - p * K;
    if (ignoredT.has(t)) {
      if (c > pArea.get(p)! / 2) ignoredP.add(p);
      continue;
    }
    const iou = c / (pArea.get(p)! + tArea.get(t)! - c);
    if (iou > thr) {
      matchedP.add(p);
      matchedT.add(t);
      iouSum += iou;
    }
  }
  const predictedN = [...pArea.keys()].filter((p) => matchedP.has(p) || !ignoredP.has(p)).length;
  const truthN = tArea.size - ignoredT.size;
  const tp = matchedT.size;
  const precision = predictedN ? tp / predictedN : 0, recall = truthN ? tp / truthN : 0;
  return {
    predicted: predictedN,
    truth: truthN,
    truePositives: tp,
    falsePositives: predictedN - tp,
    falseNegatives: truthN - tp,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    meanIoU: tp ? iouSum / tp : 0,
  };
}

/**
 * Splits each label of a ground-truth image into its connected components (8-connectivity), so that a
 * cell's several nuclei (binucleate cells, micronuclei), which share one id in the synthetic masks,
 * become separate objects. Returns a new label image with labels 1..k.
 */
export function splitComponents(labels: ArrayLike<number>, width: number, height: number): Int32Array {
  const n = width * height;
  const out = new Int32Array(n);
  const stack = new Int32Array(n);
  let next = 0;
  for (let s = 0; s < n; s++) {
    const l = labels[s];
    if (!l || out[s]) continue;
    next++;
    let sp = 0;
    stack[sp++] = s;
    out[s] = next;
    while (sp) {
      const i = stack[--sp];
      const x = i % width, y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const j = yy * width + xx;
          if (!out[j] && labels[j] === l) {
            out[j] = next;
            stack[sp++] = j;
          }
        }
      }
    }
  }
  return out;
}
