/**
 * A training checkpoint is ONE file, replaced atomically (written beside, then renamed), so a process
 * killed at any moment leaves either the previous checkpoint or the new one, never a torn one.
 *
 * Layout: the 8 bytes `MGCKPT01`, a uint32 (little-endian) header length, the UTF-8 JSON header
 * `{"meta": …, "tensors": [{"name", "shape", "offset", "length"}]}` (offset and length in float32 values),
 * zero padding to a multiple of 4 bytes, then the float32 values.
 *
 * @module
 */

const MAGIC = "MGCKPT01";

/** A named float32 array with its shape. */
export interface StoredTensor {
  shape: number[];
  values: Float32Array;
}

/** Writes `meta` (any JSON) and `tensors` to `path` atomically. */
export async function writeCheckpoint(
  path: string,
  meta: unknown,
  tensors: Map<string, StoredTensor>,
): Promise<void> {
  const table: { name: string; shape: number[]; offset: number; length: number }[] = [];
  let total = 0;
  for (const [name, t] of tensors) {
    table.push({ name, shape: t.shape, offset: total, length: t.values.length });
    total += t.values.length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta, tensors: table }));
  const start = Math.ceil((12 + header.length) / 4) * 4;
  const bytes = new Uint8Array(start + total * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, header.length, true);
  bytes.set(header, 12);
  const data = new Float32Array(bytes.buffer, start, total);
  for (const [i, t] of [...tensors.values()].entries()) data.set(t.values, table[i].offset);
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}`;
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    let off = 0;
    while (off < bytes.length) off += await f.write(bytes.subarray(off));
    await f.sync();
  } finally {
    f.close();
  }
  await Deno.rename(tmp, path);
}

/** Reads a checkpoint written by {@link writeCheckpoint}; `null` when `path` does not exist. */
export async function readCheckpoint(
  path: string,
): Promise<{ meta: unknown; tensors: Map<string, StoredTensor> } | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`${path} is not a morphogan checkpoint`);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const { meta, tensors: table } = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n)));
  const start = Math.ceil((12 + n) / 4) * 4;
  const aligned = new Uint8Array(bytes.length - start);
  aligned.set(bytes.subarray(start));
  const data = new Float32Array(aligned.buffer);
  const tensors = new Map<string, StoredTensor>();
  for (const t of table) {
    if (t.offset + t.length > data.length) throw new Error(`${path} is truncated (tensor '${t.name}')`);
    tensors.set(t.name, { shape: t.shape, values: data.slice(t.offset, t.offset + t.length) });
  }
  return { meta, tensors };
}
