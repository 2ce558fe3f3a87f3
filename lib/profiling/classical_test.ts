import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadCrop, readCropIndex } from "../data/crops.ts";
import {
  classicalFeatures,
  classicalFeaturesBatch,
  cropMasks,
  featureCount,
  featureNames,
} from "./classical.ts";
import { drawCells, syntheticCropBatch } from "./crop_synthetic.ts";

const NAMES = featureNames();
const col = (name: string) => {
  const j = NAMES.indexOf(name);
  assert.ok(j >= 0, `no feature ${name}`);
  return j;
};

function disc(S: number, cx: number, cy: number, r: number): Uint8Array {
  const m = new Uint8Array(S * S);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) if (Math.hypot(x - cx, y - cy) <= r) m[y * S + x] = 1;
  }
  return m;
}

Deno.test("classical: 223 stable, unique, documented names", () => {
  assert.equal(NAMES.length, 223);
  assert.equal(featureCount(), 223);
  assert.equal(new Set(NAMES).size, NAMES.length);
  assert.deepEqual(featureNames(), NAMES);
  for (
    const n of [
      "Intensity_Mean_DNA_Nucleus",
      "Intensity_MAD_Actin_Cytoplasm",
      "AreaShape_FormFactor_Cell",
      "AreaShape_Solidity_Nucleus",
      "Texture_Contrast_Tubulin_3",
      "Texture_AngularSecondMoment_DNA_1",
      "RadialDistribution_FracAtD_Actin_2of4",
      "RadialDistribution_RadialCV_DNA_4of4",
      "Correlation_DNA_Tubulin",
      "Correlation_Tubulin_Actin",
    ]
  ) col(n);
  assert.equal(NAMES[0], "Intensity_Integrated_DNA_Nucleus");
  assert.equal(NAMES[222], "Correlation_Tubulin_Actin");
  const counts: Record<string, number> = {};
  for (const n of NAMES) counts[n.split("_")[0]] = (counts[n.split("_")[0]] ?? 0) + 1;
  assert.deepEqual(counts, {
    Intensity: 90,
    AreaShape: 16,
    RadialDistribution: 36,
    Texture: 78,
    Correlation: 3,
  });
  const o = { levels: 16, distances: [1, 2, 4], rings: 5 };
  assert.equal(featureNames(o).length, featureCount(o));
  assert.equal(featureCount(o), 90 + 16 + 45 + 117 + 3);
});

Deno.test("classical: disc cell with given masks — shape, identical channels, radial sums", () => {
  const S = 48, n = S * S;
  const nucleus = disc(S, 23.5, 23.5, 6), cell = disc(S, 23.5, 23.5, 16);
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = 100 + (i * 37) % 50 + (nucleus[i] ? 400 : 0);
    data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = v; // three identical channels
  }
  const f = classicalFeatures({ size: S, data }, { nucleus, cell });
  const nArea = nucleus.reduce((s, v) => s + v, 0), cArea = cell.reduce((s, v) => s + v, 0);
  assert.equal(f[col("AreaShape_Area_Nucleus")], nArea);
  assert.equal(f[col("AreaShape_Area_Cell")], cArea);
  assert.ok(Math.abs(f[col("AreaShape_FormFactor_Cell")] - 1) < 0.06);
  assert.ok(f[col("AreaShape_Eccentricity_Cell")] < 0.05);
  assert.equal(f[col("AreaShape_Solidity_Cell")], 1);
  for (const p of ["DNA_Tubulin", "DNA_Actin", "Tubulin_Actin"]) assert.equal(f[col(`Correlation_${p}`)], 1);
  for (const ch of ["DNA", "Tubulin", "Actin"]) {
    let s = 0;
    for (let k = 1; k <= 4; k++) s += f[col(`RadialDistribution_FracAtD_${ch}_${k}of4`)];
    assert.ok(Math.abs(s - 1) < 1e-5, `${ch}: ${s}`);
    // Bright nucleus in the middle: inner ring brighter than the outer ring.
    assert.ok(
      f[col(`RadialDistribution_MeanFrac_${ch}_1of4`)] > f[col(`RadialDistribution_MeanFrac_${ch}_4of4`)],
    );
  }
  // Cytoplasm = cell − nucleus; nucleus mean includes the +400.
  assert.ok(
    Math.abs(f[col("Intensity_Mean_DNA_Nucleus")] - f[col("Intensity_Mean_DNA_Cytoplasm")] - 400) < 5,
  );
  assert.ok(
    Math.abs(
      f[col("Intensity_Integrated_Actin_Cell")] -
        f[col("Intensity_Integrated_Actin_Nucleus")] - f[col("Intensity_Integrated_Actin_Cytoplasm")],
    ) < 1,
  );
  // Texture of identical channels is identical.
  assert.equal(f[col("Texture_Contrast_DNA_1")], f[col("Texture_Contrast_Actin_1")]);
});

Deno.test("classical: the fallback segmentation measures the centre cell, not its neighbours", () => {
  const S = 68;
  const data = drawCells(S, [
    { x: 33.5, y: 33.5, nucleus: 9, cell: 19 },
    { x: 66, y: 30, nucleus: 10, cell: 20 },
    { x: 8, y: 62, nucleus: 8, cell: 17 },
  ], { noise: 0.04 });
  const f = classicalFeatures({ size: S, data });
  const a = f[col("AreaShape_Area_Nucleus")];
  assert.ok(Math.abs(a - Math.PI * 81) / (Math.PI * 81) < 0.15, `nucleus area ${a}`);
  assert.ok(f[col("AreaShape_FormFactor_Nucleus")] > 0.85);
  assert.ok(f[col("AreaShape_Eccentricity_Nucleus")] < 0.3);
  assert.ok(
    f[col("AreaShape_Area_Cell")] > 2.5 * a && f[col("AreaShape_Area_Cell")] < Math.PI * 19 * 19 * 1.1,
  );
  const m = cropMasks({ size: S, data });
  assert.equal(m.nucleus[33 * S + 33], 1);
  assert.equal(m.cell[30 * S + 62], 0, "the right neighbour's nucleus is not in the cell");
  // With the masks passed explicitly the result is the same.
  assert.deepEqual(classicalFeatures({ size: S, data }, m), f);
});

Deno.test("classical: deterministic; batch equals one by one; input scale only moves intensities", () => {
  const N = 4, S = 32;
  const crops = syntheticCropBatch(N, S, 3);
  const a = classicalFeaturesBatch(crops, N, S), b = classicalFeaturesBatch(crops, N, S);
  assert.deepEqual(a, b);
  const D = NAMES.length;
  for (let i = 0; i < N; i++) {
    const one = classicalFeatures({ size: S, data: crops.subarray(i * S * S * 3, (i + 1) * S * S * 3) });
    assert.deepEqual(one, a.subarray(i * D, (i + 1) * D));
  }
  // uint16 counts instead of [0, 1]: the same masks, textures, shapes, fractions and correlations.
  const u16 = Uint16Array.from(crops, (v) => Math.round(v * 30000));
  const c = classicalFeaturesBatch(u16, N, S);
  const back = Float32Array.from(u16, (v) => v / 30000);
  const ref = classicalFeaturesBatch(back, N, S);
  for (let j = 0; j < D; j++) {
    for (let i = 0; i < N; i++) {
      const x = c[i * D + j], y = ref[i * D + j];
      if (/^(AreaShape|Texture|RadialDistribution|Correlation)_|MassDisplacement/.test(NAMES[j])) {
        assert.ok(
          Object.is(x, y) || Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(x)),
          `${NAMES[j]}: ${x} vs ${y}`,
        );
      } else if (!Number.isNaN(x)) {
        assert.ok(Math.abs(x / 30000 - y) <= 1e-4 * Math.max(1, Math.abs(y)), `${NAMES[j]}: ${x} vs ${y}`);
      }
    }
  }
  // Given masks in a batch are used.
  const nuc = new Uint8Array(N * S * S), cel = new Uint8Array(N * S * S);
  for (let i = 0; i < N; i++) {
    nuc.set(disc(S, 15.5, 15.5, 4), i * S * S);
    cel.set(disc(S, 15.5, 15.5, 10), i * S * S);
  }
  const g = classicalFeaturesBatch(crops, N, S, { nucleus: nuc, cell: cel });
  const area = disc(S, 15.5, 15.5, 4).reduce((s, v) => s + v, 0);
  for (let i = 0; i < N; i++) assert.equal(g[i * D + col("AreaShape_Area_Nucleus")], area);
});

Deno.test("classical: a blank crop gives 0 areas and NaN elsewhere, never Infinity, no throw", () => {
  for (const S of [1, 2, 32]) {
    for (const fill of [0, 1234]) {
      const f = classicalFeatures({ size: S, data: new Float32Array(S * S * 3).fill(fill) });
      for (let j = 0; j < f.length; j++) {
        if (/^AreaShape_(Area|Perimeter)_|^Intensity_Integrated_/.test(NAMES[j])) {
          assert.equal(f[j], 0, NAMES[j]);
        } else assert.ok(Number.isNaN(f[j]), `${NAMES[j]} = ${f[j]}`);
      }
    }
  }
  // A crop with a cell but a constant channel: finite values plus the documented NaNs only.
  const S = 32, data = drawCells(S, [{ x: 15.5, y: 15.5, nucleus: 5, cell: 12 }], { noise: 0.01 });
  for (let i = 0; i < S * S; i++) data[i * 3 + 2] = 0.5; // constant actin
  const f = classicalFeatures({ size: S, data });
  for (let j = 0; j < f.length; j++) {
    if (Number.isNaN(f[j])) {
      assert.match(
        NAMES[j],
        /Correlation_(DNA|Tubulin)_Actin|Texture_(Correlation|InfoMeas1)_Actin|RadialCV_Actin/,
        `unexpected NaN ${NAMES[j]}`,
      );
    } else assert.ok(Number.isFinite(f[j]), NAMES[j]);
  }
});

Deno.test("classical: wrong sizes and bad options throw clear errors", () => {
  assert.throws(
    () => classicalFeatures({ size: 10, data: new Float32Array(299) }),
    /expected a 10×10×3 crop \(300 values\), got 299/,
  );
  assert.throws(
    () => classicalFeatures({ size: 10, data: new Float32Array(300) }, { cell: new Uint8Array(99) }),
    /cell mask to have 100 values, got 99/,
  );
  assert.throws(
    () => classicalFeatures({ size: 0, data: new Float32Array(0) }),
    /positive integer crop size/,
  );
  assert.throws(
    () => classicalFeaturesBatch(new Float32Array(2 * 300), 3, 10),
    /expected 3 crops of 10×10×3 \(900 values\), got 600/,
  );
  assert.throws(
    () => classicalFeaturesBatch(new Float32Array(600), 2, 10, { nucleus: new Uint8Array(100) }),
    /nucleus mask to have 200 values, got 100/,
  );
  assert.throws(() => featureNames({ levels: 1 }), /grey levels/);
  assert.throws(() => featureNames({ distances: [0] }), /texture distances/);
  assert.throws(() => featureNames({ rings: 0 }), /rings/);
  assert.equal(classicalFeaturesBatch(new Float32Array(0), 0, 10).length, 0);
});

const CROPS = fileURLToPath(new URL("../../../shared/data/bbbc021/crops", import.meta.url));
const haveCrops = existsSync(`${CROPS}/index.csv`);
if (!haveCrops) {
  console.log(`Skipping the real-crop classical feature test: '${CROPS}' is absent (see ../shared/data).`);
}

Deno.test({
  name: "classical: real BBBC021 crops segment to a centred nucleus inside a larger cell",
  ignore: !haveCrops,
  fn: async () => {
    const records = await readCropIndex(CROPS, { checkFiles: false });
    const K = 40, S = 68;
    const crops = new Float32Array(K * S * S * 3);
    for (let k = 0; k < K; k++) {
      const img = await loadCrop(CROPS, records[Math.floor(k * records.length / K)], {
        channelOrder: "dna-actin-tubulin",
      });
      assert.equal(img.width, S);
      crops.set(Float32Array.from(img.data), k * S * S * 3);
    }
    const f = classicalFeaturesBatch(crops, K, S);
    const D = NAMES.length;
    let good = 0;
    for (let k = 0; k < K; k++) {
      const row = f.subarray(k * D, (k + 1) * D);
      const na = row[col("AreaShape_Area_Nucleus")], ca = row[col("AreaShape_Area_Cell")];
      if (na > 150 && ca > 1.2 * na && row[col("AreaShape_Solidity_Nucleus")] > 0.7) good++;
      for (let j = 0; j < D; j++) assert.ok(!(Math.abs(row[j]) === Infinity), `${NAMES[j]} infinite`);
      // Nucleus-normalised DNA is brighter in the nucleus than in the cytoplasm.
      assert.ok(row[col("Intensity_Mean_DNA_Nucleus")] > row[col("Intensity_Mean_DNA_Cytoplasm")]);
    }
    assert.ok(good >= 0.9 * K, `${good}/${K} crops gave a plausible nucleus and cell`);
  },
});
