/**
 * `deno task publish` for real: to a local bare git repository (cloned back, served under a sub-path by the
 * real static server and crawled in Chromium with the site's browser checks), twice (one commit with only the
 * changed files; none when nothing changed), after a results change (the stale site is rebuilt first), to a
 * folder (replaced atomically) and as an archive; and the errors: a missing repository, a dirty one, its
 * checked-out branch.
 */
import assert from "node:assert/strict";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { parseGitTarget, publish } from "./publish.ts";
import { FIXTURE } from "./tests/make_fixture.ts";
import { checkSite, noChromiumReason } from "./tests/browser.ts";

async function git(args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** A copy of the fixture's results in a temporary folder (its site is built beside it, in `site/`). */
async function workspace(): Promise<{ tmp: string; results: string }> {
  const tmp = await Deno.makeTempDir({ prefix: "morphogan-publish-test-" });
  const results = join(tmp, "results");
  await cp(FIXTURE, results, { recursive: true });
  return { tmp, results };
}

Deno.test("parseGitTarget: gh-pages by default, a branch after #, bad branch names refused", () => {
  assert.deepEqual(parseGitTarget("git:../site.git"), { repo: "../site.git", branch: "gh-pages" });
  assert.deepEqual(parseGitTarget("git:https://h/x.git#pages"), { repo: "https://h/x.git", branch: "pages" });
  assert.throws(() => parseGitTarget("git:#x"), /expected git:REPO/);
  assert.throws(() => parseGitTarget("git:r#-x"), /not a branch name/);
});

Deno.test({
  name: "publish to git: a bare repository's gh-pages holds the site; once more, one commit of what changed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { tmp, results } = await workspace();
    try {
      const bare = join(tmp, "pages.git");
      await git(["init", "--quiet", "--bare", bare]);
      const lines: string[] = [];
      const first = await publish({ to: `git:${bare}`, results, base: "/proj/", log: (l) => lines.push(l) });
      assert.ok(first.rebuilt, "no site was built: publish builds it");
      assert.ok(first.git?.commit);
      assert.deepEqual([...first.profiles].sort(), ["bare", "legacy", "tiny"]);
      // The branch, cloned: the site with .nojekyll, no build stamp, and a message naming profiles and source.
      const clone = join(tmp, "clone");
      await git(["clone", "--quiet", "--branch", "gh-pages", bare, clone]);
      const files = (await git(["ls-files"], clone)).split("\n");
      assert.ok(files.includes(".nojekyll") && files.includes("index.html"));
      assert.ok(!files.some((f) => f.endsWith(".build-digest")));
      const message = await git(["log", "-1", "--format=%B"], clone);
      assert.match(message, new RegExp(`Profiles ${first.profiles.join(", ")} from morphogan [0-9a-f]{12}`));
      assert.match(message, /for the base path \/proj\//);
      assert.equal(await git(["rev-list", "--count", "gh-pages"], clone), "1");
      const why = noChromiumReason();
      if (!why) {
        const r = await checkSite({ dist: clone, base: "/proj/" });
        assert.deepEqual(r.problems, [], `problems found:\n${r.problems.join("\n")}`);
        assert.ok(r.pages.length > 5, `pages visited: ${r.pages.join(", ")}`);
      } else console.warn(`publish test: the crawl in Chromium is skipped: ${why}`);

      // Unchanged results: no new commit.
      const again = await publish({ to: `git:${bare}`, results, base: "/proj/", log: (l) => lines.push(l) });
      assert.equal(again.rebuilt, false);
      assert.equal(again.git?.commit, null);
      assert.ok(lines.some((l) => /nothing to commit/.test(l)));

      // One profile's figure list changes: the site is rebuilt first, and the commit holds only that profile's files.
      const figures = join(results, "tiny", "figures", "figures.json");
      const list = JSON.parse(await Deno.readTextFile(figures));
      list[0].caption = `${list[0].caption} (edited)`;
      await Deno.writeTextFile(figures, JSON.stringify(list, null, 2) + "\n");
      const third = await publish({ to: `git:${bare}`, results, base: "/proj/", log: (l) => lines.push(l) });
      assert.ok(third.rebuilt);
      assert.ok(lines.some((l) => /was older than .*rebuilt it/.test(l)));
      assert.ok(third.git?.commit);
      await git(["pull", "--quiet"], clone);
      assert.equal(await git(["rev-list", "--count", "gh-pages"], clone), "2");
      const changed = (await git(["diff", "--name-only", "HEAD~1", "HEAD"], clone)).split("\n");
      assert.ok(changed.includes("tiny/files/figures/figures.json"), changed.join(", "));
      assert.ok(
        changed.every((f) => f.startsWith("tiny/")),
        `changed outside the edited profile: ${changed}`,
      );
      assert.ok(changed.length < files.length / 4, `${changed.length} of ${files.length} files changed`);
      assert.match(await Deno.readTextFile(join(clone, "tiny", "figures", "index.html")), /\(edited\)/);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("publish to git: a missing repository, a dirty one, and its checked-out branch are one clear error each", async () => {
  const { tmp, results } = await workspace();
  try {
    await assert.rejects(
      () => publish({ to: `git:${join(tmp, "nowhere.git")}`, results }),
      /Cannot publish to git:.*nowhere\.git: not a git repository we can read/,
    );
    const repo = join(tmp, "repo");
    await git(["init", "--quiet", "-b", "main", repo]);
    await Deno.writeTextFile(join(repo, "a.txt"), "a\n");
    await git(["add", "a.txt"], repo);
    await git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "a"], repo);
    await assert.rejects(
      () => publish({ to: `git:${repo}#main`, results }),
      /that branch is checked out there/,
    );
    await Deno.writeTextFile(join(repo, "a.txt"), "changed\n");
    await assert.rejects(() => publish({ to: `git:${repo}`, results }), /uncommitted changes/);
    await git(["checkout", "--quiet", "a.txt"], repo);
    // Clean, another branch: published, and the repository's own branch and files are untouched.
    const r = await publish({ to: `git:${repo}`, results });
    assert.ok(r.git?.commit);
    assert.equal(await git(["symbolic-ref", "--short", "HEAD"], repo), "main");
    assert.equal(await git(["status", "--porcelain"], repo), "");
    assert.match(await git(["ls-tree", "--name-only", "gh-pages"], repo), /index\.html/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("publish to a folder (replaced whole) and as an archive; nothing to publish to is an error", async () => {
  const { tmp, results } = await workspace();
  try {
    await assert.rejects(() => publish({ results }), /Nothing to publish to/);
    const dir = join(tmp, "www");
    await publish({ to: dir, results });
    assert.ok((await Deno.stat(join(dir, ".nojekyll"))).isFile);
    await Deno.writeTextFile(join(dir, "stale.html"), "left from before");
    await publish({ to: dir, results, archive: join(tmp, "site.tar.gz") });
    await assert.rejects(() => Deno.stat(join(dir, "stale.html")), Deno.errors.NotFound);
    assert.ok((await Deno.stat(join(dir, "index.html"))).isFile);
    const listing = new TextDecoder().decode(
      (await new Deno.Command("tar", { args: ["-tzf", join(tmp, "site.tar.gz")], stdout: "piped" }).output())
        .stdout,
    );
    assert.match(listing, /^\.\/index\.html$/m);
    assert.match(listing, /^\.\/\.nojekyll$/m);
    assert.doesNotMatch(listing, /build-digest/);
    // A folder that is not a published site is not replaced.
    const other = join(tmp, "other");
    await Deno.mkdir(other);
    await Deno.writeTextFile(join(other, "notes.txt"), "mine");
    await assert.rejects(() => publish({ to: other, results }), /Refusing to replace .*other/);
    await assert.rejects(() => publish({ results, archive: join(tmp, "site.zip") }), /expected a \.tar\.gz/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
