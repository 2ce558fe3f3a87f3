import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import {
  downloadFiles,
  type DownloadProgress,
  formatBytes,
  formatDuration,
  formatProgress,
  unzipFile,
} from "./download.ts";

interface Served {
  body: Uint8Array;
  /** What to do with a request that has no Range header. */
  mode?: "ok" | "drop-first" | "stall-first" | "404";
}

/** A real HTTP server on 127.0.0.1 that serves files, honours Range and records requests. */
async function startServer(files: Record<string, Served>) {
  const requests: { path: string; range: string | null }[] = [];
  const seen = new Map<string, number>();
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    const range = (req.headers.range as string | undefined) ?? null;
    requests.push({ path, range });
    const count = (seen.get(path) ?? 0) + 1;
    seen.set(path, count);
    const f = files[path];
    if (!f || f.mode === "404") {
      res.writeHead(404, "Not Found");
      res.end("no such file");
      return;
    }
    const body = f.body;
    const m = range ? /bytes=(\d+)-/.exec(range) : null;
    if (m) {
      const start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { "Content-Range": `bytes */${body.length}` });
        res.end();
        return;
      }
      res.writeHead(206, {
        "Content-Length": String(body.length - start),
        "Content-Range": `bytes ${start}-${body.length - 1}/${body.length}`,
        "Accept-Ranges": "bytes",
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { "Content-Length": String(body.length), "Accept-Ranges": "bytes" });
    if (count === 1 && f.mode === "drop-first") {
      // Send part of the body, then cut the connection.
      res.write(
        body.subarray(0, Math.floor(body.length / 2)),
        () => setTimeout(() => res.socket?.destroy(), 20),
      );
      return;
    }
    if (count === 1 && f.mode === "stall-first") {
      res.write(body.subarray(0, 1000)); // then nothing: the client's stall timeout must fire
      return;
    }
    res.end(body);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Pseudo-random, poorly compressible bytes so that files span several network chunks. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

function makeZip(name: string, seed: number): { zip: Uint8Array; files: Record<string, Uint8Array> } {
  const files: Record<string, Uint8Array> = {
    [`${name}/a_w1.tif`]: noise(150_000, seed),
    [`${name}/a_w2.tif`]: noise(90_000, seed + 1),
    [`${name}/notes.txt`]: strToU8(`plate ${name}\n`.repeat(50)),
  };
  return { zip: zipSync(files, { level: 1 }), files };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(join(d, e.name), rel + e.name + "/");
      else out.push(rel + e.name);
    }
  };
  await walk(dir, "");
  return out.sort();
}

const FAST = { backoffMs: 5, maxBackoffMs: 20, progressIntervalMs: 0 };

Deno.test("downloadFiles: normal run downloads, verifies, unpacks, reports progress; a second run fetches nothing", () =>
  withDir(async (dir) => {
    const a = makeZip("Week1_1", 1), b = makeZip("Week1_2", 7);
    const csv = strToU8("compound,concentration,moa\nDMSO,0,DMSO\n");
    const srv = await startServer({
      "/a.zip": { body: a.zip },
      "/b.zip": { body: b.zip },
      "/moa.csv": { body: csv },
    });
    try {
      const items = [
        {
          url: srv.url("/a.zip"),
          dest: join(dir, "archives/a.zip"),
          size: a.zip.length,
          sha256: sha256(a.zip),
          unzipTo: join(dir, "Week1"),
        },
        {
          url: srv.url("/b.zip"),
          dest: join(dir, "archives/b.zip"),
          md5: createHash("md5").update(b.zip).digest("hex"),
          unzipTo: join(dir, "Week1"),
        },
        { url: srv.url("/moa.csv"), dest: join(dir, "moa.csv"), size: csv.length },
      ];
      const reports: DownloadProgress[] = [];
      const res = await downloadFiles(items, { ...FAST, concurrency: 2, onProgress: (p) => reports.push(p) });
      assert.deepEqual(res.map((r) => r.status), ["downloaded", "downloaded", "downloaded"]);
      assert.deepEqual(res.map((r) => r.attempts), [1, 1, 1]);
      assert.equal(res[0].unpacked!.length, 3);
      for (const [name, data] of Object.entries({ ...a.files, ...b.files })) {
        assert.deepEqual(await Deno.readFile(join(dir, "Week1", name)), data, name);
      }
      assert.deepEqual(await Deno.readFile(join(dir, "moa.csv")), csv);
      const all = await listAll(dir);
      assert.ok(!all.some((f) => f.endsWith(".part")), `no .part left: ${all}`);
      assert.ok(all.includes("archives/a.zip.unpacked"));
      const last = reports.at(-1)!;
      const total = a.zip.length + b.zip.length + csv.length;
      assert.equal(last.bytesDone, total);
      assert.equal(last.bytesTotal, total);
      assert.equal(last.filesDone, 3);
      assert.ok(reports.length >= 3);
      assert.match(formatProgress(last), /\[#{24}\] .* \(3\/3 files\)/);

      const before = srv.requests.length;
      const again = await downloadFiles(items, FAST);
      assert.deepEqual(again.map((r) => r.status), ["present", "present", "present"]);
      assert.equal(srv.requests.length, before, "a second run makes no requests");
    } finally {
      await srv.close();
    }
  }));

Deno.test("downloadFiles resumes with a Range request after the server drops the connection mid-file", () =>
  withDir(async (dir) => {
    const a = makeZip("Week2_1", 3);
    const srv = await startServer({ "/drop.zip": { body: a.zip, mode: "drop-first" } });
    try {
      const [r] = await downloadFiles([
        {
          url: srv.url("/drop.zip"),
          dest: join(dir, "drop.zip"),
          sha256: sha256(a.zip),
          unzipTo: join(dir, "out"),
        },
      ], FAST);
      assert.equal(r.attempts, 2);
      assert.equal(r.resumed, 1);
      assert.equal(srv.requests[0].range, null);
      const m = /^bytes=(\d+)-$/.exec(srv.requests[1].range ?? "");
      assert.ok(
        m && Number(m[1]) > 0 && Number(m[1]) < a.zip.length,
        `second request resumes: ${srv.requests[1].range}`,
      );
      assert.deepEqual(await Deno.readFile(join(dir, "drop.zip")), a.zip);
      assert.deepEqual(await Deno.readFile(join(dir, "out/Week2_1/a_w1.tif")), a.files["Week2_1/a_w1.tif"]);
    } finally {
      await srv.close();
    }
  }));

Deno.test("downloadFiles retries a stalled transfer and resumes it", () =>
  withDir(async (dir) => {
    const body = noise(50_000, 9);
    const srv = await startServer({ "/stall.bin": { body, mode: "stall-first" } });
    try {
      const [r] = await downloadFiles([{
        url: srv.url("/stall.bin"),
        dest: join(dir, "s.bin"),
        size: body.length,
      }], {
        ...FAST,
        stallTimeoutMs: 300,
      });
      assert.equal(r.attempts, 2);
      assert.equal(srv.requests[1].range, "bytes=1000-");
      assert.deepEqual(await Deno.readFile(join(dir, "s.bin")), body);
    } finally {
      await srv.close();
    }
  }));

Deno.test("downloadFiles: a corrupt file is a clear error and is neither kept nor unpacked", () =>
  withDir(async (dir) => {
    const a = makeZip("Week3_1", 5);
    const bad = a.zip.slice();
    bad[100] ^= 0xff;
    const srv = await startServer({ "/c.zip": { body: bad } });
    try {
      const url = srv.url("/c.zip");
      await assert.rejects(
        () =>
          downloadFiles(
            [{ url, dest: join(dir, "c.zip"), sha256: sha256(a.zip), unzipTo: join(dir, "out") }],
            { ...FAST, retries: 1 },
          ),
        (e: Error) => {
          assert.match(
            e.message,
            new RegExp(`Cannot verify '${url}': expected sha256 ${sha256(a.zip)}, found ${sha256(bad)}`),
          );
          assert.match(e.message, /after 2 attempts/);
          return true;
        },
      );
      assert.deepEqual(await listAll(dir), [], "nothing left: no file, no .part, nothing unpacked");
    } finally {
      await srv.close();
    }
  }));

Deno.test("downloadFiles: a 404 is a clear error naming the URL, not retried; other files still complete", () =>
  withDir(async (dir) => {
    const ok = noise(1000, 2);
    const srv = await startServer({ "/ok.bin": { body: ok } });
    try {
      const url = srv.url("/BBBC021_v1_images_Week9_0.zip");
      await assert.rejects(
        () =>
          downloadFiles([{ url, dest: join(dir, "x.zip") }, {
            url: srv.url("/ok.bin"),
            dest: join(dir, "ok.bin"),
          }], FAST),
        new RegExp(
          `1 of 2 file\\(s\\):\\n  - Cannot download '${url}': the server answered 404 Not Found \\(after 1 attempt\\)`,
        ),
      );
      assert.equal(srv.requests.filter((r) => r.path.endsWith(".zip")).length, 1);
      assert.deepEqual(await listAll(dir), ["ok.bin"]);
    } finally {
      await srv.close();
    }
  }));

Deno.test("unzipFile refuses entries that escape the folder and archives that are not zips", () =>
  withDir(async (dir) => {
    await Deno.writeFile(join(dir, "evil.zip"), zipSync({ "../evil.txt": strToU8("x") }));
    await assert.rejects(
      () => unzipFile(join(dir, "evil.zip"), join(dir, "out")),
      /entry '..\/evil.txt' would be written outside/,
    );
    await Deno.writeTextFile(join(dir, "text.zip"), "this is not a zip file at all");
    await assert.rejects(
      () => unzipFile(join(dir, "text.zip"), join(dir, "out")),
      /text.zip'.*(not a readable zip|found none)/,
    );
    assert.deepEqual((await listAll(dir)).filter((f) => f.startsWith("out") || f === "evil.txt"), []);
  }));

Deno.test("formatBytes and formatDuration", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
  assert.equal(formatDuration(75), "1:15");
  assert.equal(formatDuration(3725), "1:02:05");
});
