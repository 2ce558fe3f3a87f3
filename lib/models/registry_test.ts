import assert from "node:assert/strict";
import { GANS, SET_NAMES } from "../figures/gans.ts";
import { FEATURE_SET_LABELS, PAPER_TABLE1 } from "../profiling/paper_table1.ts";
import { DEFAULT_LEARNING_RATES, GAN_LOSS_NAMES } from "./hyperparams.ts";
import { CONTROL_MODEL, FEATURE_SET_IDS, FEATURE_SETS, MODELS, registryJson } from "./registry.ts";

Deno.test("registry: well-formed unique ids; every model has a loss with default rates; the control is a model", () => {
  const ids = MODELS.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const m of MODELS) {
    assert.match(m.id, /^[a-z][a-z0-9]*$/);
    assert.ok((GAN_LOSS_NAMES as readonly string[]).includes(m.loss), m.id);
    assert.ok(DEFAULT_LEARNING_RATES[m.loss], m.id);
  }
  assert.ok(ids.includes(CONTROL_MODEL));
  assert.deepEqual(FEATURE_SET_IDS, [...ids, "bigan_d", "classical", "random"]);
  for (const s of FEATURE_SETS) {
    if (s.model) assert.ok(ids.includes(s.model as never), `${s.id}: model ${s.model}`);
  }
  assert.equal(new Set(FEATURE_SET_IDS).size, FEATURE_SET_IDS.length);
});

Deno.test("registry: the figures, Table 1 and the published models.json follow from it", () => {
  assert.deepEqual(
    GANS.map(([id]) => id),
    MODELS.filter((m) => m.kind === "gan" || m.kind === "bigan").map((m) => m.id),
  );
  assert.ok(
    GANS.some(([id]) => id === "bigan"),
    "the BiGAN's generator is in the figures of generated cells",
  );
  assert.ok(!GANS.some(([id]) => (id as string) === "vae"), "the VAE's decoder is not");
  for (const s of FEATURE_SETS) {
    assert.equal(SET_NAMES[s.id], s.short);
    assert.equal(FEATURE_SET_LABELS[s.id], s.label);
  }
  // Each model with a paper result has its row in Table 1, in registry order, ahead of the other methods.
  const withPaper = MODELS.filter((m) => m.paper);
  assert.deepEqual(
    PAPER_TABLE1.slice(0, withPaper.length).map((r) => [r.set, r.method, r.nsc]),
    withPaper.map((m) => [m.id, m.paper!.method, m.paper!.nsc]),
  );
  const json = registryJson();
  assert.deepEqual(json.models.map((m) => m.train), MODELS.map((m) => `train_${m.id}`));
  assert.deepEqual(json.featureSets.map((s) => s.id), FEATURE_SET_IDS);
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json, "plain JSON");
});
