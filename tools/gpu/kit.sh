#!/usr/bin/env bash
# Builds the GPU kit: everything tools/gpu/check.sh needs on a GPU machine that has Python (with PyTorch
# and CUDA) and the NVIDIA driver, but no Deno, no npm and no network. Usage: tools/gpu/kit.sh [DIR]
# (default gpu-kit/, git-ignored). DIR then holds:
#   deno.xz     this machine's Deno binary, xz-compressed (check.sh unpacks it with Python's lzma)
#   bench.js    tools/gpu/bench_entry.ts and its npm modules as one file (`deno bundle`)
#   debs/       Debian's Vulkan loader and GL/EGL dispatch libraries (`apt-get download`), which check.sh
#               unpacks there; the NVIDIA driver brings the rest
#   train_torch.py, check.sh, manifest.json
# `deno compile` would make one binary, but it downloads its runtime from dl.deno.land, which this machine
# cannot reach; a Deno binary and a bundle do the same. KIT_XZ_LEVEL (default 6) trades time for size.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-"$root/gpu-kit"}
mkdir -p "$dir/debs"
deno_bin=${DENO:-$(command -v deno || true)}
if [ -z "$deno_bin" ]; then deno_bin=$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())'); fi
deno_bin=$(readlink -f "$deno_bin")

echo "== bundling tools/gpu/bench_entry.ts"
(cd "$root" && "$deno_bin" bundle --quiet --platform deno -o "$dir/bench.js.part" tools/gpu/bench_entry.ts)
# The npm modules' CommonJS `require("node:…")` calls need a require in the bundle's ES module scope.
{
  echo 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
  cat "$dir/bench.js.part"
} > "$dir/bench.js"
rm "$dir/bench.js.part"

echo "== compressing $deno_bin"
xz -T0 "-${KIT_XZ_LEVEL:-6}" -c "$deno_bin" > "$dir/deno.xz.part"
mv "$dir/deno.xz.part" "$dir/deno.xz"

echo "== downloading the Vulkan loader and GL/EGL libraries"
rm -f "$dir"/debs/*.deb
(cd "$dir/debs" && apt-get download -q libvulkan1 libglvnd0 libgl1 libglx0 libegl1 >/dev/null 2>&1)

cp "$root/bench/train_torch.py" "$root/tools/gpu/check.sh" "$dir/"
bytes=$(du -cb "$dir"/deno.xz "$dir"/bench.js "$dir"/debs/*.deb "$dir"/*.py "$dir"/check.sh | tail -n 1 | cut -f1)
"$deno_bin" eval "console.log(JSON.stringify({ deno: Deno.version.deno, built: new Date().toISOString(),
  bytes: $bytes, debs: [...Deno.readDirSync('$dir/debs')].map((e) => e.name).sort() }, null, 2))" > "$dir/manifest.json"
echo "kit: $dir ($((bytes / 1048576)) MiB)"
if [ "$bytes" -gt $((64 * 1048576)) ]; then
  echo "error: the kit is $bytes bytes, over the 64 MiB a GPU machine call takes" >&2
  exit 1
fi
