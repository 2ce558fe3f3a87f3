import assert from "node:assert/strict";
import { fastAtan2, gaussianBlur, makeBatchEffect, type RenderedField, renderField } from "./render.ts";
import { treatmentEffect } from "./phenotypes.ts";
import { Rng } from "./rng.ts";

const batch = makeBatchEffect(new Rng(1), 0);

function render(compound: string, conc: number, seed: number, size = 256): RenderedField {
  return renderField({ width: size, height: size, seed, effect: treatmentEffect(3, compound, conc), batch });
}

/** Mean nucleus and cell area (pixels) and mean DNA / tubulin / actin inside cells over a few fields. */
function stats(compound: string, conc: number) {
  let nuc = 0, cell = 0, cells = 0, mitotic = 0, monopolar = 0, tub = 0, act = 0;
  for (let s = 0; s < 4; s++) {
    const f = render(compound, conc, 100 + s);
    cells += f.cellCount;
    mitotic += f.kinds.mitotic;
    monopolar += f.kinds.monopolar;
    for (let i = 0; i < f.cells.length; i++) {
      if (f.nuclei[i]) nuc++;
      if (f.cells[i]) {
        cell++;
        tub += f.channels[1][i];
        act += f.channels[2][i];
      }
    }
  }
  return {
    nucArea: nuc / cells,
    cellArea: cell / cells,
    cells,
    mitotic: mitotic / cells,
    monopolar: monopolar / cells,
    tub: tub / cell,
    act: act / cell,
  };
}

Deno.test("renderField is deterministic, 16-bit multiples of 16, with consistent masks", () => {
  const a = render("DMSO", 0, 7), b = render("DMSO", 0, 7), c = render("DMSO", 0, 8);
  assert.deepEqual(a.channels, b.channels);
  assert.deepEqual(a.cells, b.cells);
  assert.notDeepEqual(a.channels[0], c.channels[0]);
  assert.ok(a.cellCount > 5 && a.cellCount < 60, `cells ${a.cellCount}`);
  for (const ch of a.channels) assert.ok(ch.every((v) => v % 16 === 0));
  const ids = new Set<number>();
  for (let i = 0; i < a.cells.length; i++) {
    if (a.nuclei[i]) assert.equal(a.nuclei[i], a.cells[i], "a nucleus lies in its own cell");
    if (a.cells[i]) ids.add(a.cells[i]);
  }
  assert.equal(ids.size, a.cellCount);
  assert.equal(Math.max(...ids), a.cellCount, "labels are 1..cellCount");
  // Nuclei are bright in DNA; background is dark.
  let inN = 0, nN = 0, bg = 0, nB = 0;
  for (let i = 0; i < a.cells.length; i++) {
    if (a.nuclei[i]) {
      inN += a.channels[0][i];
      nN++;
    } else if (!a.cells[i]) {
      bg += a.channels[0][i];
      nB++;
    }
  }
  assert.ok(inN / nN > 3 * (bg / nB), `DNA nucleus ${inN / nN} vs background ${bg / nB}`);
});

Deno.test("MOA phenotypes are measurable in rendered fields", () => {
  const dmso = stats("DMSO", 0);
  const aurora = stats("AZ-A", 30);
  const synth = stats("emetine", 1);
  const destab = stats("nocodazole", 3);
  const eg5 = stats("AZ-C", 1);
  const degr = stats("MG-132", 3);
  assert.ok(aurora.nucArea > 1.5 * dmso.nucArea, `Aurora nuclei ${aurora.nucArea} vs DMSO ${dmso.nucArea}`);
  assert.ok(aurora.cells < dmso.cells, "Aurora: fewer cells");
  assert.ok(
    synth.cellArea < 0.85 * dmso.cellArea,
    `protein synthesis cells ${synth.cellArea} vs ${dmso.cellArea}`,
  );
  assert.ok(synth.act < dmso.act, "protein synthesis: dimmer");
  assert.ok(
    destab.mitotic > dmso.mitotic + 0.2,
    `MT destabilizer mitotic ${destab.mitotic} vs ${dmso.mitotic}`,
  );
  assert.ok(eg5.monopolar > 0.3 && dmso.monopolar === 0, `Eg5 monopolar ${eg5.monopolar}`);
  assert.ok(degr.tub > dmso.tub * 1.05, `aggresomes raise tubulin: ${degr.tub} vs ${dmso.tub}`);
});

Deno.test("batch effects change intensities but not the cells", () => {
  const eff = treatmentEffect(3, "DMSO", 0);
  const strong = { ...makeBatchEffect(new Rng(2), 1.5), density: batch.density };
  const a = renderField({ width: 128, height: 128, seed: 9, effect: eff, batch });
  const b = renderField({ width: 128, height: 128, seed: 9, effect: eff, batch: strong });
  assert.deepEqual(a.cells, b.cells);
  assert.notDeepEqual(a.channels[1], b.channels[1]);
});

Deno.test("fastAtan2 matches Math.atan2 and gaussianBlur preserves the mean", () => {
  const rng = new Rng(4);
  for (let i = 0; i < 2000; i++) {
    const y = rng.normal(), x = rng.normal();
    assert.ok(Math.abs(fastAtan2(y, x) - Math.atan2(y, x)) < 1e-4);
  }
  assert.equal(fastAtan2(0, 0), 0);
  const d = new Float32Array(32 * 32);
  d[16 * 32 + 16] = 1000;
  gaussianBlur(d, 32, 32, 1.5);
  const sum = d.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1000) < 0.5);
  assert.ok(d[16 * 32 + 16] < 100 && d[16 * 32 + 17] > 10);
});
