/**
 * The built fixture site in headless Chromium over a real HTTP server at a non-root base path: no console
 * errors, no failed or external requests, every image loads, Table 1 shows numbers, every internal link and
 * anchor resolves, images have alt text, headings do not skip levels, text contrast ≥ 4.5:1, no horizontal
 * overflow at 390 px. Screenshots of every page (desktop and phone) go to $SITE_SCREENSHOTS or
 * <tmp>/morphogan-site-screenshots. Skipped where /usr/bin/chromium is absent.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSite } from "../build.ts";
import { FIXTURE } from "./make_fixture.ts";
import { checkSite, noChromiumReason } from "./browser.ts";

const why = noChromiumReason();
if (why) console.warn(`site browser test ignored: ${why}`);

Deno.test({
  // Where it cannot run, the reason is in its name, so that the "ignored" line of the report says it.
  name: "site: every page of the fixture in Chromium (links, images, console, a11y, phone width)" +
    (why ? ` [ignored: ${why}]` : ""),
  ignore: why !== null,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const out = await mkdtemp(join(tmpdir(), "morphogan-site-browser-"));
    const screenshots = Deno.env.get("SITE_SCREENSHOTS") ?? join(tmpdir(), "morphogan-site-screenshots");
    try {
      await buildSite({ results: FIXTURE, out });
      const r = await checkSite({ dist: out, base: "/some/base/path/", screenshots });
      assert.deepEqual(r.problems, [], `problems found:\n${r.problems.join("\n")}`);
      assert.equal(r.pages.length, 1 + 6 * 3, `pages visited: ${r.pages.join(", ")}`);
      assert.equal(r.screenshots.length, 2 * r.pages.length);
      console.log(`${r.pages.length} pages, ${r.files} linked files checked; screenshots in ${screenshots}`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
});
