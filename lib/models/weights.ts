/**
 * GAN weights on disk, in the TensorFlow.js weights format so that other tools can read them:
 *
 * - `model.json`: `{"format": "morphogan-gan", "morphogan": {"version": 1, "config": GanConfig},
 *   "weightsManifest": [{"paths": ["weights.bin"], "weights": [{"name", "shape", "dtype": "float32"}, …]}]}`
 *   (weights in {@link weightSpecs} order: G then D, batch-norm moving statistics included);
 * - `weights.bin`: the values, float32 little-endian, concatenated in manifest order.
 *
 * Saving and loading are bit-exact. {@link readWeights} needs no tf backend (for inspection, or for an
 * `extract` task that builds its own network).
 *
 * @module
 */
import { Gan, type GanConfig, ganConfig, weightSpecs } from "./gan.ts";

/** Version of the `model.json` layout. */
export const WEIGHTS_FORMAT_VERSION = 1;

/** The manifest entry of one weight. */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: "float32";
}

/** Writes `model.json` and `weights.bin` of `gan` into `dir` (created if needed). */
export async function saveGan(gan: Gan, dir: string): Promise<void> {
  await writeWeights(dir, gan.config, await gan.values());
}

/** Writes a config and weight values (by name, every weight of {@link weightSpecs}) into `dir`. */
export async function writeWeights(
  dir: string,
  config: GanConfig,
  values: Map<string, Float32Array>,
): Promise<void> {
  const specs = weightSpecs(config);
  const entries: WeightEntry[] = [];
  let total = 0;
  for (const s of specs) {
    const v = values.get(s.name);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (!v || v.length !== n) throw new Error(`weight '${s.name}' missing or not ${n} values`);
    entries.push({ name: s.name, shape: s.shape, dtype: "float32" });
    total += n;
  }
  const bin = new Float32Array(total);
  let off = 0;
  for (const s of specs) {
    const v = values.get(s.name)!;
    bin.set(v, off);
    off += v.length;
  }
  if (!isLittleEndian()) throw new Error("big-endian hosts are not supported");
  const json = {
    format: "morphogan-gan",
    generatedBy: "morphogan lib/models",
    morphogan: { version: WEIGHTS_FORMAT_VERSION, config },
    weightsManifest: [{ paths: ["weights.bin"], weights: entries }],
  };
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/weights.bin`, new Uint8Array(bin.buffer));
  await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json, null, 1) + "\n");
}

/** Reads `model.json` and `weights.bin` from `dir`: the config and every weight's values. */
export async function readWeights(
  dir: string,
): Promise<{ config: GanConfig; values: Map<string, Float32Array> }> {
  let json;
  try {
    json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  } catch (e) {
    throw new Error(`cannot read GAN weights in ${dir}: ${(e as Error).message}`);
  }
  if (json?.format !== "morphogan-gan" || json?.morphogan?.version !== WEIGHTS_FORMAT_VERSION) {
    throw new Error(
      `${dir}/model.json is not morphogan GAN weights version ${WEIGHTS_FORMAT_VERSION} ` +
        `(format ${json?.format}, version ${json?.morphogan?.version})`,
    );
  }
  const config = ganConfig(json.morphogan.config);
  const group = json.weightsManifest?.[0];
  const entries: WeightEntry[] = group?.weights ?? [];
  const bytes = await Deno.readFile(`${dir}/${group?.paths?.[0] ?? "weights.bin"}`);
  const specs = weightSpecs(config);
  if (entries.length !== specs.length) {
    throw new Error(`${dir}: ${entries.length} weights in the manifest, the config implies ${specs.length}`);
  }
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const values = new Map<string, Float32Array>();
  let off = 0;
  specs.forEach((s, i) => {
    const e = entries[i];
    if (e.name !== s.name || e.shape.join() !== s.shape.join() || e.dtype !== "float32") {
      throw new Error(`${dir}: weight ${i} is '${e.name}' [${e.shape}], expected '${s.name}' [${s.shape}]`);
    }
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (off + n > all.length) throw new Error(`${dir}/weights.bin is too short`);
    values.set(s.name, all.slice(off, off + n));
    off += n;
  });
  if (off !== all.length) throw new Error(`${dir}/weights.bin has ${all.length - off} extra values`);
  return { config, values };
}

/** Loads a {@link Gan} saved by {@link saveGan} (on the active tf backend). */
export async function loadGan(dir: string): Promise<Gan> {
  const { config, values } = await readWeights(dir);
  return new Gan(config, values);
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}
