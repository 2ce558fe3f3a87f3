/**
 * Where and with what a run computed: the runner's host and the Deno, V8 and TypeScript versions, as
 * manifests and `run.json` record them.
 * @module
 */
import { hostname } from "node:os";

/** The runtime's versions. */
export const versions = () => ({
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  typescript: Deno.version.typescript,
});

/** This machine. */
export const host = () => ({
  hostname: hostname(),
  os: Deno.build.os,
  arch: Deno.build.arch,
  cpus: navigator.hardwareConcurrency,
});
