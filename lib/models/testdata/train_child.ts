// Child process of train_test.ts: trains the tiny WGAN with a checkpoint after every step until killed.
import { train } from "../train.ts";
import { useBackend } from "../test_util.ts";
import { childCrops, childOptions } from "./train_child_options.ts";

await useBackend("wasm");
const r = await train(childCrops(), { ...childOptions(Deno.args[0]), steps: 1000, checkpointEvery: 1 });
r.gan.dispose();
