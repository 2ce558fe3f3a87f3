/**
 * A small static file server for the built site (Deno.serve on 127.0.0.1): `deno task preview [--dir DIR]
 * [--port N] [--base /path/]`. Serves `index.html` for folders, redirects a folder without its trailing slash,
 * and answers 404 for anything else, like an ordinary static host.
 * @module
 */
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
};

/** Options of {@link serveStatic}. */
export interface ServeOptions {
  /** The folder to serve. */
  root: string;
  /** The path the folder appears at (default "/"). */
  base?: string;
  /** Port (default 0: any free port). */
  port?: number;
  hostname?: string;
  /** Called with every request's path and status. */
  onRequest?: (path: string, status: number) => void;
}

/** A running server. */
export interface StaticServer {
  /** The site's URL (ends in the base path). */
  url: string;
  port: number;
  shutdown(): Promise<void>;
}

/** Serves `root` at `base` on 127.0.0.1. */
export function serveStatic(opts: ServeOptions): StaticServer {
  const root = resolve(opts.root);
  const base = `/${(opts.base ?? "/").split("/").filter(Boolean).join("/")}/`.replace(/^\/\/$/, "/");
  const hostname = opts.hostname ?? "127.0.0.1";
  const respond = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response("Bad request", { status: 400 });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method not allowed", { status: 405 });
    }
    if (path === base.slice(0, -1) && base !== "/") {
      return new Response(null, { status: 301, headers: { location: base + url.search } });
    }
    if (!path.startsWith(base)) return new Response("Not found", { status: 404 });
    const rel = normalize(path.slice(base.length));
    if (rel.startsWith("..") || rel.includes("\0")) return new Response("Not found", { status: 404 });
    let file = join(root, rel);
    let info = await Deno.stat(file).catch(() => null);
    if (info?.isDirectory) {
      if (!path.endsWith("/")) {
        return new Response(null, { status: 301, headers: { location: url.pathname + "/" + url.search } });
      }
      file = join(file, "index.html");
      info = await Deno.stat(file).catch(() => null);
    }
    if (!info?.isFile) return new Response("Not found", { status: 404 });
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const headers = {
      "content-type": type,
      "content-length": String(info.size),
      "cache-control": "no-cache",
    };
    if (req.method === "HEAD") return new Response(null, { headers });
    return new Response((await Deno.open(file)).readable, { headers });
  };
  const server = Deno.serve({ hostname, port: opts.port ?? 0, onListen: () => {} }, async (req) => {
    const res = await respond(req);
    opts.onRequest?.(new URL(req.url).pathname, res.status);
    return res;
  });
  const port = server.addr.port;
  return { url: `http://${hostname}:${port}${base}`, port, shutdown: () => server.shutdown() };
}

if (import.meta.main) {
  const args = Deno.args;
  const get = (flag: string) => {
    const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i < 0) return undefined;
    return args[i].includes("=") ? args[i].slice(flag.length + 1) : args[i + 1];
  };
  const root = get("--dir") ?? fileURLToPath(new URL("./dist", import.meta.url));
  if (!(await Deno.stat(join(root, "index.html")).catch(() => null))) {
    console.error(`No built site in ${root}: run 'deno task site' first`);
    Deno.exit(1);
  }
  const s = serveStatic({ root, base: get("--base"), port: Number(get("--port") ?? 4321) });
  console.log(`Serving ${root} at ${s.url} (Ctrl-C to stop)`);
}
