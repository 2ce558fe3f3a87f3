/**
 * Segmentation benchmark: fields per second of the nucleus pipeline (Gaussian smoothing, Otsu, fill holes,
 * remove small objects, exact distance transform, h-maxima markers, watershed, region properties) on
 * synthetic 1280×1024 (BBBC021 size) and 512×512 fields, one core — and, in the same run when
 * `/usr/bin/python3` has scikit-image (Debian `python3-skimage`), scikit-image + SciPy doing the same steps
 * with the same parameters on the same images (written as `.npy` to a temporary folder), with the ratio
 * and the object-level agreement (F1 at IoU 0.5) of the two label images. Also times the whole
 * `segmentField` (nuclei + cells + crops). Writes `bench/results/segment.json`.
 *
 * Usage: `deno task bench segment` (or `deno run -A bench/segment.ts`)
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeNpy, parseNpy } from "../lib/data/npy.ts";
import {
  planSyntheticDataset,
  renderSyntheticField,
  resolveSyntheticOptions,
} from "../lib/data/synthetic.ts";
import { matchObjects, splitComponents } from "../lib/imaging/match.ts";
import { resolveNucleiOptions, segmentNuclei } from "../lib/imaging/nuclei.ts";
import { regionProps } from "../lib/imaging/regionprops.ts";
import { segmentField } from "../lib/imaging/segment.ts";

const PYTHON = "/usr/bin/python3";

/** The scikit-image side: the same steps and parameters as `segmentNuclei` + `regionProps`. */
const SKIMAGE_SCRIPT = `
import json, sys, time
import numpy as np
from scipy import ndimage as ndi
from skimage import filters, measure, morphology, segmentation, __version__ as skv
args = json.loads(sys.argv[1])
def run(img):
    s = filters.gaussian(img.astype(np.float32), args["sigma"], preserve_range=True)
    fg = s > filters.threshold_otsu(s) * args["scale"]
    fg = ndi.binary_fill_holes(fg)
    fg = morphology.remove_small_objects(fg, args["min_area"])
    d = ndi.distance_transform_edt(fg)
    markers = measure.label(morphology.h_maxima(d, args["h"]))
    ws = segmentation.watershed(-d, markers, mask=fg)
    ws = morphology.remove_small_objects(ws, args["min_area"])
    props = [(p.area, p.centroid, p.bbox, p.eccentricity, p.solidity) for p in measure.regionprops(ws)]
    return ws, len(props)
out = {"skimage": skv, "sizes": {}}
for group in args["groups"]:
    imgs = [np.load(f) for f in group["files"]]
    run(imgs[0])  # warm-up
    t0 = time.perf_counter()
    counts = []
    for r in range(args["repeats"]):
        for k, img in enumerate(imgs):
            ws, n = run(img)
            counts.append(n)
            if r == 0:
                np.save(group["files"][k].replace(".npy", "_sk.npy"), ws.astype(np.uint16))
    dt = time.perf_counter() - t0
    out["sizes"][group["name"]] = {"fields_per_second": len(imgs) * args["repeats"] / dt, "nuclei": counts[: len(imgs)]}
print(json.dumps(out))
`;

/** One size's numbers. */
export interface SizeResult {
  /** Fields timed (each repeated `repeats` times). */
  fields: number;
  /** Nucleus pipeline + region properties, fields per second (one core). */
  fieldsPerSecond: number;
  /** Whole `segmentField` (checks, nuclei, cells, props, 96×96 crops), fields per second. */
  segmentFieldPerSecond: number;
  /** Mean nuclei per field. */
  nucleiPerField: number;
  /** Nucleus F1 at IoU 0.5 against the synthetic ground truth. */
  f1: number;
  /** scikit-image fields per second (null when unavailable). */
  skimageFieldsPerSecond: number | null;
  /** Ours / scikit-image (> 1: we are faster). */
  speedupVsSkimage: number | null;
  /** Object-level F1 (IoU 0.5) between our and scikit-image's nucleus labels. */
  agreementF1: number | null;
}

/** The benchmark result. */
export interface SegmentBenchResult {
  /** Per field size. */
  sizes: Record<string, SizeResult>;
  /** scikit-image version, or why it was not run. */
  skimage: string;
  /** Repeats per field. */
  repeats: number;
  /** When measured. */
  date: string;
  /** Deno version. */
  deno: string;
  /** CPUs of the machine (both sides run on one core). */
  cpus: number;
}

async function skimageVersion(): Promise<string | null> {
  try {
    const p = await new Deno.Command(PYTHON, {
      args: ["-c", "import skimage, scipy; print(skimage.__version__)"],
    })
      .output();
    return p.success ? new TextDecoder().decode(p.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** Runs the benchmark, writes `bench/results/segment.json` (or `outPath`), and returns the numbers. */
export async function main(outPath?: string): Promise<SegmentBenchResult> {
  const repeats = 2;
  const o = resolveNucleiOptions();
  const specs = [
    { name: "1280x1024", width: 1280, height: 1024, fields: 3 },
    { name: "512x512", width: 512, height: 512, fields: 6 },
  ];
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-bench-segment-" });
  const sizes: Record<string, SizeResult> = {};
  const groups: { name: string; files: string[] }[] = [];
  const rendered: Record<string, ReturnType<typeof renderSyntheticField>[]> = {};
  try {
    for (const s of specs) {
      const plan = planSyntheticDataset(
        resolveSyntheticOptions({ seed: 21, width: s.width, height: s.height }, "small"),
      );
      const fields = plan.fields.slice(0, s.fields).map((f) => renderSyntheticField(plan, f));
      rendered[s.name] = fields;
      const files: string[] = [];
      for (const [k, r] of fields.entries()) {
        const file = join(tmp, `${s.name}_${k}.npy`);
        await Deno.writeFile(
          file,
          encodeNpy({ dtype: "uint16", shape: [r.height, r.width], data: r.channels[0] }),
        );
        files.push(file);
      }
      groups.push({ name: s.name, files });
      // Ours: warm up, then time.
      const run = (r: (typeof fields)[0]) => {
        const nuc = segmentNuclei(r.channels[0], r.width, r.height);
        regionProps(nuc.labels, nuc.count, r.width, r.height);
        return nuc;
      };
      run(fields[0]);
      let t0 = performance.now();
      for (let rep = 0; rep < repeats; rep++) for (const r of fields) run(r);
      const ours = (fields.length * repeats) / ((performance.now() - t0) / 1000);
      const full = (r: (typeof fields)[0]) =>
        segmentField({ width: r.width, height: r.height, bitDepth: 16, channels: r.channels }, {
          cropSize: 96,
        });
      full(fields[0]);
      t0 = performance.now();
      for (const r of fields) full(r);
      const whole = fields.length / ((performance.now() - t0) / 1000);
      let tp = 0, pred = 0, truth = 0, nuclei = 0;
      for (const r of fields) {
        const nuc = run(r);
        nuclei += nuc.count;
        const m = matchObjects(nuc.labels, splitComponents(r.nuclei, r.width, r.height), {
          minTruthArea: 60,
        });
        tp += m.truePositives;
        pred += m.predicted;
        truth += m.truth;
      }
      const p = tp / pred, rc = tp / truth;
      sizes[s.name] = {
        fields: fields.length,
        fieldsPerSecond: ours,
        segmentFieldPerSecond: whole,
        nucleiPerField: nuclei / fields.length,
        f1: (2 * p * rc) / (p + rc),
        skimageFieldsPerSecond: null,
        speedupVsSkimage: null,
        agreementF1: null,
      };
    }
    let skimage = "not run: /usr/bin/python3 with scikit-image not found (apt-get install python3-skimage)";
    const version = await skimageVersion();
    if (version) {
      const args = {
        sigma: o.smoothSigma,
        scale: o.thresholdScale,
        min_area: o.minArea,
        h: o.h,
        repeats,
        groups,
      };
      const p = await new Deno.Command(PYTHON, {
        args: ["-c", SKIMAGE_SCRIPT, JSON.stringify(args)],
        env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
      }).output();
      if (!p.success) {
        skimage = `failed: ${new TextDecoder().decode(p.stderr).trim().split("\n").slice(-3).join(" | ")}`;
      } else {
        const res = JSON.parse(new TextDecoder().decode(p.stdout));
        skimage = `scikit-image ${res.skimage}`;
        for (const g of groups) {
          const r = sizes[g.name];
          r.skimageFieldsPerSecond = res.sizes[g.name].fields_per_second;
          r.speedupVsSkimage = r.fieldsPerSecond / r.skimageFieldsPerSecond!;
          let tp = 0, pred = 0, truth = 0;
          for (const [k, f] of g.files.entries()) {
            const sk = parseNpy(await Deno.readFile(f.replace(".npy", "_sk.npy")), f);
            const field = rendered[g.name][k];
            const ours = segmentNuclei(field.channels[0], field.width, field.height);
            const m = matchObjects(ours.labels, sk.data);
            tp += m.truePositives;
            pred += m.predicted;
            truth += m.truth;
          }
          const pp = tp / pred, rr = tp / truth;
          r.agreementF1 = (2 * pp * rr) / (pp + rr);
        }
      }
    }
    const result: SegmentBenchResult = {
      sizes,
      skimage,
      repeats,
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      cpus: navigator.hardwareConcurrency,
    };
    const out = outPath ?? join(dirname(fileURLToPath(import.meta.url)), "results", "segment.json");
    await Deno.mkdir(dirname(out), { recursive: true });
    await Deno.writeTextFile(out, JSON.stringify(result, null, 2) + "\n");
    return result;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
