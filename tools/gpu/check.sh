#!/usr/bin/env bash
# The one-call GPU check, run on a GPU machine (Python with PyTorch and CUDA, the NVIDIA driver, no Deno,
# no network) with the kit of tools/gpu/kit.sh: usage `bash KIT/check.sh [KIT]` (default: this script's
# folder). Unpacks the kit's Deno and Vulkan libraries with Python alone, then measures, for each size and
# loss (batch 64, w = 1): seconds per training step on webgpu, and PyTorch on the GPU running
# bench/train_torch.py (the same network and step), with the ratio; and D inference images/s. Writes
# $OUT/gpu.json (OUT defaults to KIT/out), with the raw outputs beside it.
# Environment (for a quick run, e.g. the kit's own test on a CPU machine): GPU_SIZES (64,96), GPU_LOSSES
# (dcgan,lsgan,wgan), GPU_BATCH (64), GPU_WIDTH (1), GPU_STEPS (3), GPU_BACKEND (webgpu),
# GPU_TORCH_DEVICE (cuda; cpu where there is none), GPU_PYTHON (python3: the one with torch).
set -euo pipefail
kit=$(cd "${1:-$(dirname "$0")}" && pwd)
for f in deno.xz bench.js train_torch.py debs; do
  [ -e "$kit/$f" ] || { echo "error: $kit/$f is missing: expected a kit built by tools/gpu/kit.sh" >&2; exit 2; }
done
out=${OUT:-"$kit/out"}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$kit" "$work" <<'PY'
import io, lzma, os, sys, tarfile
kit, work = sys.argv[1], sys.argv[2]
with lzma.open(os.path.join(kit, "deno.xz")) as src, open(os.path.join(work, "deno"), "wb") as dst:
    dst.write(src.read())
os.chmod(os.path.join(work, "deno"), 0o755)
# A .deb is an ar archive holding data.tar.{xz,zst,gz}: extract it under work/root.
root = os.path.join(work, "root")
for name in sorted(os.listdir(os.path.join(kit, "debs"))):
    data = open(os.path.join(kit, "debs", name), "rb").read()
    assert data[:8] == b"!<arch>\n", f"{name}: not an ar archive"
    pos = 8
    while pos < len(data):
        header = data[pos:pos + 60]
        member, size = header[:16].decode().strip().rstrip("/"), int(header[48:58].decode().strip())
        body = data[pos + 60:pos + 60 + size]
        if member.startswith("data.tar"):
            if member.endswith(".zst"):
                raise SystemExit(f"{name}: zstd-compressed data, which Python cannot unpack")
            with tarfile.open(fileobj=io.BytesIO(body)) as t:
                t.extractall(root)
        pos += 60 + size + (size % 2)
PY
libs="$work/root/usr/lib/x86_64-linux-gnu"
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The NVIDIA Vulkan driver: its JSON where the driver installed one, else one naming its library.
if ! ls /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json >/dev/null 2>&1 &&
  ldconfig -p 2>/dev/null | grep -q libGLX_nvidia.so.0; then
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3"}}\n' \
    > "$work/nvidia_icd.json"
  export VK_ICD_FILENAMES="$work/nvidia_icd.json"
fi

list() { python3 -c 'import json,sys; print(json.dumps([int(x) if x.isdigit() else x for x in sys.argv[1].split(",")]))' "$1"; }
sizes=$(list "${GPU_SIZES:-64,96}")
losses=$(list "${GPU_LOSSES:-dcgan,lsgan,wgan}")
batch=${GPU_BATCH:-64} width=${GPU_WIDTH:-1} steps=${GPU_STEPS:-3}
device=${GPU_TORCH_DEVICE:-cuda}

echo "== webgpu (our step)"
"$work/deno" run -A "$kit/bench.js" "{\"backend\":\"${GPU_BACKEND:-webgpu}\",\"sizes\":$sizes,\"losses\":$losses,\
\"batch\":$batch,\"width\":$width,\"steps\":$steps,\"inference\":$sizes}" > "$out/ours.json"

echo "== PyTorch on $device"
python3 - "$sizes" "$losses" "$batch" > "$out/torch_request.json" <<'PY'
import json, sys
sizes, losses, batch = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
print(json.dumps([{"loss": l, "size": s, "batch": batch} for s in sizes for l in losses]))
PY
if ! "${GPU_PYTHON:-python3}" "$kit/train_torch.py" "{\"cases\":$(cat "$out/torch_request.json"),\"width\":$width,\
\"maxSteps\":$steps,\"budget\":1e9,\"inference\":$sizes,\"device\":\"$device\",\"channelsLast\":true}" \
  > "$out/torch.json" 2> "$out/torch.log"; then
  echo "PyTorch did not run (see $out/torch.log): gpu.json has our figures only"
  python3 -c 'import json,sys; print(json.dumps({"error": open(sys.argv[1]).read().strip().splitlines()[-1:]}))' \
    "$out/torch.log" > "$out/torch.json"
fi

python3 - "$out" <<'PY'
import json, os, platform, statistics, subprocess, sys
out = sys.argv[1]
ours, torch = json.load(open(os.path.join(out, "ours.json"))), json.load(open(os.path.join(out, "torch.json")))
try:
    gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                         capture_output=True, text=True).stdout.strip() or None
except OSError:
    gpu = None
steps = []
for s in ours["steps"]:
    t = next((x for x in torch.get("steps", []) if x["loss"] == s["loss"] and x["size"] == s["size"]), None)
    mine = statistics.median(s["seconds"])
    steps.append({"loss": s["loss"], "size": s["size"], "batch": s["batch"], "width": s["width"],
                  "oursSeconds": mine, "oursFirstStepSeconds": s["firstStepSeconds"],
                  "torchSeconds": t and t["secondsPerStep"], "ratio": t and mine / t["secondsPerStep"]})
inference = [{**i, "torchImagesPerSecond": next((x["imagesPerSecond"] for x in torch.get("inference", [])
             if x["size"] == i["size"]), None)} for i in ours["inference"]]
result = {"gpu": gpu, "adapter": ours["backend"]["detail"], "backend": ours["backend"]["name"],
          "torch": torch.get("torch"), "torchDevice": torch.get("device"), "torchError": torch.get("error"),
          "host": platform.platform(),
          "note": "seconds per training step (D + G), median of the timed steps after one warm-up step; "
                  "ours: the webgpu backend of lib/models; torch: bench/train_torch.py on torchDevice; "
                  "ratio = ours / torch",
          "steps": steps, "inference": inference}
json.dump(result, open(os.path.join(out, "gpu.json"), "w"), indent=2)
for s in steps:
    theirs = f", torch {s['torchSeconds']:.4f} s ({s['ratio']:.2f}x)" if s["torchSeconds"] else ""
    print(f"  {s['loss']} {s['size']}px: ours {s['oursSeconds']:.4f} s{theirs}")
print(f"wrote {os.path.join(out, 'gpu.json')}")
PY
