/**
 * Source normalisation for code digests. A comment-only or formatting-only edit of a module must not change a
 * task's cache key, while any change to what the code does must.
 *
 * How: the module is split into JavaScript/TypeScript tokens by a small lexer that understands strings,
 * template literals (with nested `${}`), regular-expression literals and comments. Comments and whitespace
 * are dropped; a comma directly before `)`, `]` or `}` (a trailing comma) is dropped; single-quoted strings are
 * rewritten in double-quoted form. The remaining tokens are joined by one space. Whitespace inside string,
 * template and regex literals is kept, as it is part of the program. JSON modules are parsed and re-serialised
 * canonically instead.
 * @module
 */
import { canonicalJson } from "./hash.ts";

const PUNCTUATORS = [
  ">>>=",
  "...",
  "===",
  "!==",
  "**=",
  "<<=",
  ">>=",
  ">>>",
  "&&=",
  "||=",
  "??=",
  "=>",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "??",
  "?.",
  "++",
  "--",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "**",
  "<<",
  ">>",
];

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

const isIdentChar = (c: string) => /[\p{L}\p{N}_$\u200c\u200d]/u.test(c);
const isSpace = (c: string) => /\s/.test(c);

/** Tokens of a JavaScript/TypeScript source, comments and whitespace removed. */
export function tokenize(source: string): string[] {
  const tokens: string[] = [];
  // What each open `{` belongs to: a block/object, or a `${` of a template literal.
  const braces: ("brace" | "template")[] = [];
  let i = 0;
  const n = source.length;
  let last: { kind: "word" | "value" | "punct"; text: string } | null = null;

  const readTemplateChunk = (): void => {
    // Called with i just after "`" or after the "}" closing a "${...}"; reads up to "`" or "${".
    const start = i;
    while (i < n) {
      const c = source[i];
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === "`") {
        i++;
        tokens.push(source.slice(start - 1, i));
        last = { kind: "value", text: "`" };
        return;
      }
      if (c === "$" && source[i + 1] === "{") {
        i += 2;
        tokens.push(source.slice(start - 1, i));
        braces.push("template");
        last = { kind: "punct", text: "${" };
        return;
      }
      i++;
    }
    throw new SyntaxError("unterminated template literal");
  };

  while (i < n) {
    const c = source[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) throw new SyntaxError("unterminated comment");
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let body = "";
      while (j < n && source[j] !== c) {
        if (source[j] === "\\") {
          const next = source[j + 1];
          // In the canonical double-quoted form, \' is just ' and a bare " needs escaping.
          body += c === "'" && next === "'" ? "'" : source.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (source[j] === "\n") throw new SyntaxError("unterminated string literal");
        body += c === "'" && source[j] === '"' ? '\\"' : source[j];
        j++;
      }
      if (j >= n) throw new SyntaxError("unterminated string literal");
      i = j + 1;
      tokens.push(`"${body}"`);
      last = { kind: "value", text: '"' };
      continue;
    }
    if (c === "`") {
      i++;
      readTemplateChunk();
      continue;
    }
    if (c === "}" && braces.at(-1) === "template") {
      braces.pop();
      i++;
      // The chunk token starts with the "}" that resumes the template.
      readTemplateChunk();
      continue;
    }
    if (c === "/") {
      const regexAllowed = last === null ||
        (last.kind === "punct" && ![")", "]", "}"].includes(last.text)) ||
        (last.kind === "word" && REGEX_AFTER_WORD.has(last.text));
      if (regexAllowed) {
        let j = i + 1;
        let inClass = false;
        while (j < n) {
          const d = source[j];
          if (d === "\\") {
            j += 2;
            continue;
          }
          if (d === "\n") throw new SyntaxError("unterminated regular expression");
          if (inClass) {
            if (d === "]") inClass = false;
          } else if (d === "[") inClass = true;
          else if (d === "/") break;
          j++;
        }
        j++;
        while (j < n && isIdentChar(source[j])) j++;
        tokens.push(source.slice(i, j));
        last = { kind: "value", text: "/" };
        i = j;
        continue;
      }
    }
    if (isIdentChar(c) || (c === "." && /[0-9]/.test(source[i + 1] ?? ""))) {
      let j = i;
      const numeric = /[0-9.]/.test(c);
      while (j < n) {
        const d = source[j];
        if (isIdentChar(d)) j++;
        else if (numeric && d === ".") j++;
        else if (
          numeric && (d === "+" || d === "-") && /[eE]/.test(source[j - 1]) &&
          !/^0[xX]/.test(source.slice(i, j))
        ) {
          j++;
        } else break;
      }
      const word = source.slice(i, j);
      tokens.push(word);
      last = { kind: numeric ? "value" : "word", text: word };
      i = j;
      continue;
    }
    const punct = PUNCTUATORS.find((p) => source.startsWith(p, i)) ?? c;
    if (punct === "{") braces.push("brace");
    else if (punct === "}") braces.pop();
    tokens.push(punct);
    last = { kind: "punct", text: punct };
    i += punct.length;
  }
  // Drop trailing commas: a "," directly before a closing bracket changes nothing.
  return tokens.filter((t, k) => !(t === "," && [")", "]", "}", ">"].includes(tokens[k + 1])));
}

/**
 * The normalised text of a module, chosen by its media type (as `deno info` reports it): token stream for
 * JavaScript/TypeScript, canonical JSON for JSON, the raw text otherwise. Falls back to the raw text when the
 * lexer cannot read the source, so a digest is always defined (it is then merely formatting-sensitive).
 */
export function normalizeSource(source: string, mediaType = "TypeScript"): string {
  if (mediaType === "Json") {
    try {
      return canonicalJson(JSON.parse(source));
    } catch {
      return source;
    }
  }
  if (/^(JavaScript|TypeScript|Jsx|Tsx|Mjs|Mts|Cjs|Cts|Dts|Dmts|Dcts)$/.test(mediaType)) {
    try {
      return tokenize(source).join(" ");
    } catch {
      return source;
    }
  }
  return source;
}
