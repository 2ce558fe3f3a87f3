/**
 * `deno task bench [NAME...]`: runs the named benchmarks (all when none is named). Each is a module
 * `bench/<name>.ts` exporting `main()`, which writes `bench/results/<name>.json` and returns its numbers.
 * @module
 */
const available: string[] = [];
for await (const e of Deno.readDir(new URL(".", import.meta.url))) {
  if (e.isFile && e.name.endsWith(".ts") && e.name !== "main.ts" && !e.name.endsWith("_test.ts")) {
    available.push(e.name.slice(0, -3));
  }
}
available.sort();
const names = Deno.args.length ? Deno.args : available;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`error: unknown benchmark '${name}': benchmarks are ${available.join(", ")}`);
    Deno.exit(2);
  }
}
for (const name of names) {
  console.error(`bench ${name}…`);
  const mod = await import(`./${name}.ts`);
  const results = await mod.main();
  console.log(`${name}: ${JSON.stringify(results, null, 2)}`);
  console.log(`wrote bench/results/${name}.json`);
}
