import assert from "node:assert/strict";
import { join } from "node:path";
import { decode } from "fast-png";
import { table1Figure } from "./table1_figure.ts";
import { table1Fixture } from "./test_util.ts";

async function draw(table1: unknown) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "table1.json"), JSON.stringify(table1));
    const w = await table1Figure(dir, dir);
    const png = decode(await Deno.readFile(join(dir, w.files.png)));
    assert.equal(png.width, w.width);
    const svg = await Deno.readTextFile(join(dir, w.files.svg));
    const json = JSON.parse(await Deno.readTextFile(join(dir, w.files.json)));
    return { svg, json };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("table1Figure: ± sd over seeds and the untrained control where table1.json has them", async () => {
  const { svg, json } = await draw(table1Fixture());
  // LSGAN (2 seeds): 50 ± 4 under the authors' protocol, its control 27 under the best protocol.
  assert.match(svg, />50 ± 4</);
  assert.match(svg, />55 ± 4</);
  assert.match(svg, />27</);
  assert.match(svg, />untrained control, the model&#39;s best protocol</);
  assert.match(svg, />± 1 sd over training seeds</);
  assert.match(json.caption, /mean over training seeds ± their standard deviation \(LSGAN 2 seeds/);
  assert.match(json.caption, /Control: the same features from an untrained discriminator/);
  assert.equal(json.data.rows.find((r: { set: string }) => r.set === "lsgan").control.nsc_per_compound, 0.27);
});

Deno.test("table1Figure: a table1.json from before replicate seeds draws as one seed, no control", async () => {
  const { svg, json } = await draw(table1Fixture(true));
  assert.doesNotMatch(svg, /±/);
  assert.doesNotMatch(svg, /untrained control/);
  assert.match(svg, />50</);
  assert.doesNotMatch(json.caption, /Control:|over training seeds/);
  await assert.rejects(
    draw({ nope: 1 }),
    /Cannot draw Table 1 from '.*table1\.json': expected an object with rows/,
  );
});
