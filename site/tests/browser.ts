/**
 * Checks a built site in headless Chromium (playwright-core, Debian's /usr/bin/chromium): crawls every page
 * from the root over a real HTTP server at a non-root base path and reports each problem found — console
 * errors, failed or external requests, images that do not load, broken internal links and anchors, images
 * without alt text, skipped heading levels, low text contrast, horizontal overflow at phone width — and saves a
 * desktop and a phone screenshot of every page. Used by browser_test.ts; runnable on any built folder:
 * `deno run -A site/tests/browser.ts site/dist [screenshot dir]`.
 * @module
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { serveStatic } from "../preview.ts";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser checks can run here. */
/** Why a browser check cannot run here, in one line with the fix; null where Chromium is installed. */
export function noChromiumReason(): string | null {
  return hasChromium()
    ? null
    : `no Chromium at ${CHROMIUM}: install it with \`sudo apt-get install -y chromium\``;
}

export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** What {@link checkSite} found. */
export interface CheckReport {
  /** Site paths of the pages visited (relative to the base). */
  pages: string[];
  /** Every problem, one line each ("page: what"). */
  problems: string[];
  /** Screenshots written. */
  screenshots: string[];
  /** Other URLs checked (files the pages link to). */
  files: number;
}

/** Options of {@link checkSite}. */
export interface CheckOptions {
  /** The built site. */
  dist: string;
  /** The base path to serve it at (default "/morphogan/results/"). */
  base?: string;
  /** Where to save screenshots (none when absent). */
  screenshots?: string;
  log?: (line: string) => void;
}

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** What the in-page inspection returns (inspect_page.js). */
interface PageInfo {
  badImages: string[];
  noAlt: string[];
  headings: number[];
  lowContrast: string[];
  links: string[];
  ids: string[];
  svgNoName: number;
}

/** Runs one of inspect_page.js's functions in the page. */
async function inPage<T>(page: Page, fn: string): Promise<T> {
  return await page.evaluate(`globalThis.__siteCheck.${fn}()`) as T;
}

/** Crawls and checks the site in `opts.dist`; never throws for a problem, lists it. */
export async function checkSite(opts: CheckOptions): Promise<CheckReport> {
  const log = opts.log ?? (() => {});
  const base = opts.base ?? "/morphogan/results/";
  const server = serveStatic({ root: opts.dist, base });
  const origin = new URL(server.url).origin;
  const problems: string[] = [];
  const screenshots: string[] = [];
  if (opts.screenshots) await mkdir(opts.screenshots, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const pages: string[] = [];
  const idsByPage = new Map<string, Set<string>>();
  const anchors: { from: string; page: string; id: string }[] = [];
  const fileStatus = new Map<string, number>();
  try {
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
    });
    const script = await Deno.readTextFile(new URL("./inspect_page.js", import.meta.url));
    await desktop.addInitScript({ content: script });
    await phone.addInitScript({ content: script });
    const watch = (page: Page, label: () => string) => {
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") {
          problems.push(`${label()}: console ${m.type()}: ${m.text()}`);
        }
      });
      page.on("pageerror", (e) => problems.push(`${label()}: page error: ${e.message}`));
      page.on(
        "requestfailed",
        (r) => problems.push(`${label()}: request failed: ${r.url()} (${r.failure()?.errorText})`),
      );
      page.on("request", (r) => {
        const u = new URL(r.url());
        if (u.protocol !== "data:" && u.origin !== origin) {
          problems.push(`${label()}: external request: ${r.url()}`);
        }
      });
      page.on("response", (r) => {
        if (r.status() >= 400) problems.push(`${label()}: HTTP ${r.status()} for ${r.url()}`);
      });
    };
    let current = "";
    const dp = await desktop.newPage();
    watch(dp, () => `${current} (desktop)`);
    const pp = await phone.newPage();
    watch(pp, () => `${current} (phone)`);

    const queue = [server.url];
    const queued = new Set(queue);
    while (queue.length) {
      const url = queue.shift()!;
      const path = url.slice(server.url.length) || "/";
      current = path;
      pages.push(path);
      log(`page ${path}`);
      const res = await dp.goto(url, { waitUntil: "load" });
      if (!res || res.status() !== 200) {
        problems.push(`${path}: HTTP ${res?.status()}`);
        continue;
      }
      await inPage(dp, "loadImages");
      const info = await inPage<PageInfo>(dp, "inspect");
      for (const src of info.badImages) problems.push(`${path}: image did not load: ${src}`);
      for (const src of info.noAlt) problems.push(`${path}: image without alt text: ${src}`);
      if (info.svgNoName) {
        problems.push(`${path}: ${info.svgNoName} svg[role=img] without an accessible name`);
      }
      if (info.headings.filter((h) => h === 1).length !== 1) {
        problems.push(`${path}: expected exactly one h1`);
      }
      info.headings.forEach((h, i) => {
        const prev = i === 0 ? 0 : info.headings[i - 1];
        if (h > prev + 1) problems.push(`${path}: heading level skips from h${prev} to h${h}`);
      });
      for (const c of info.lowContrast) problems.push(`${path}: low contrast ${c}`);
      const dupIds = [...new Set(info.ids.filter((id, i) => info.ids.indexOf(id) !== i))];
      if (dupIds.length) problems.push(`${path}: duplicate ids: ${dupIds.join(", ")}`);
      idsByPage.set(url.split("#")[0], new Set(info.ids));
      for (const href of info.links) {
        const u = new URL(href);
        if (u.origin !== origin) continue;
        const target = u.origin + u.pathname;
        if (!u.pathname.startsWith(new URL(server.url).pathname)) {
          problems.push(`${path}: link outside the base path: ${href}`);
          continue;
        }
        if (u.hash.length > 1) {
          anchors.push({ from: path, page: target, id: decodeURIComponent(u.hash.slice(1)) });
        }
        const isPage = u.pathname.endsWith("/") || u.pathname.endsWith(".html");
        if (isPage) {
          if (!queued.has(target)) {
            queued.add(target);
            queue.push(target);
          }
        } else if (!fileStatus.has(target)) {
          const r = await fetch(target, { method: "HEAD" });
          fileStatus.set(target, r.status);
          if (r.status !== 200) problems.push(`${path}: broken link ${href} (HTTP ${r.status})`);
        }
      }
      if (/^[^/]+\/$/.test(path)) {
        // A profile's overview: Table 1 must show numbers (when the profile has one and NSC is defined for
        // its data; otherwise the page says why, and shows the dose response instead).
        const cells = await inPage<string[]>(dp, "table1Numbers");
        const hasTable = await dp.$("#table1:not([data-undefined])");
        if (await dp.$("#table1[data-undefined]") && !(await dp.$("#dose-response"))) {
          problems.push(`${path}: Table 1 is not measured here, and there is no dose-response table`);
        }
        if (hasTable && !cells.some((c) => /\d+\.\d\s%/.test(c))) {
          problems.push(`${path}: Table 1 shows no numbers`);
        }
      }
      const name = path === "/" ? "root" : path.replace(/\/$/, "").replace(/[^\w.-]+/g, "_");
      if (opts.screenshots) {
        const file = join(opts.screenshots, `${name}.desktop.png`);
        await dp.screenshot({ path: file, fullPage: true });
        screenshots.push(file);
      }
      if (path.endsWith("moa/") && (await dp.$("#nn-set"))) {
        // Exercise the switches: every set, then NSCB and the wrong-only filter.
        const sets = await inPage<string[]>(dp, "explorerSets");
        const before = await dp.textContent("#nn-summary");
        for (const s of sets) await dp.selectOption("#nn-set", s);
        await dp.selectOption("#nn-rule", "nscb");
        await dp.selectOption("#nn-filter", "wrong");
        const after = await dp.textContent("#nn-summary");
        if (sets.length > 1 && before === after) {
          problems.push(`${path}: switching the feature set changed nothing`);
        }
        const bad = await inPage<string[]>(dp, "brokenImages");
        for (const b of bad) problems.push(`${path}: image did not load after switching: ${b}`);
      }
      // Phone width: no horizontal overflow.
      await pp.goto(url, { waitUntil: "load" });
      const overflow = await inPage<{ scroll: number; client: number; wide: string[] }>(pp, "overflow");
      if (overflow.scroll > overflow.client) {
        problems.push(
          `${path}: overflows a 390 px viewport (${overflow.scroll} > ${overflow.client}: ${
            overflow.wide.join(", ")
          })`,
        );
      }
      if (opts.screenshots) {
        await inPage(pp, "loadImages");
        const file = join(opts.screenshots, `${name}.phone.png`);
        await pp.screenshot({ path: file, fullPage: true });
        screenshots.push(file);
      }
    }
    for (const a of anchors) {
      const ids = idsByPage.get(a.page);
      if (ids && !ids.has(a.id)) problems.push(`${a.from}: link to a missing anchor #${a.id} on ${a.page}`);
    }
  } finally {
    await browser.close();
    await server.shutdown();
  }
  return { pages, problems: [...new Set(problems)], screenshots, files: fileStatus.size };
}

if (import.meta.main) {
  const [dist = "site/dist", shots] = Deno.args;
  const r = await checkSite({ dist, screenshots: shots, log: (l) => console.log(l) });
  console.log(`${r.pages.length} pages, ${r.files} linked files, ${r.screenshots.length} screenshots`);
  for (const p of r.problems) console.log(`PROBLEM ${p}`);
  Deno.exit(r.problems.length ? 1 : 0);
}
