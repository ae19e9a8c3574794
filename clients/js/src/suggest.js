// Did-you-mean hints, the same as Python's regctl.base.suggest (difflib's
// get_close_matches, ported: SequenceMatcher's ratio over code points).

import { msg } from "./i18n.js";

function matchingCount(a, b) {
  // SequenceMatcher(None, a, b): b2j without junk; "popular" elements of a long b dropped.
  const b2j = new Map();
  b.forEach((c, j) => {
    if (!b2j.has(c)) b2j.set(c, []);
    b2j.get(c).push(j);
  });
  if (b.length >= 200) {
    const ntest = Math.floor(b.length / 100) + 1;
    for (const [c, idx] of [...b2j]) if (idx.length > ntest) b2j.delete(c);
  }
  const longest = (alo, ahi, blo, bhi) => {
    let besti = alo;
    let bestj = blo;
    let bestsize = 0;
    let j2len = new Map();
    for (let i = alo; i < ahi; i++) {
      const next = new Map();
      for (const j of b2j.get(a[i]) ?? []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) ?? 0) + 1;
        next.set(j, k);
        if (k > bestsize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestsize = k;
        }
      }
      j2len = next;
    }
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
      besti--;
      bestj--;
      bestsize++;
    }
    while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) {
      bestsize++;
    }
    return [besti, bestj, bestsize];
  };
  let total = 0;
  const queue = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop();
    const [i, j, k] = longest(alo, ahi, blo, bhi);
    if (k) {
      total += k;
      if (alo < i && blo < j) queue.push([alo, i, blo, j]);
      if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
    }
  }
  return total;
}

function ratio(x, word) {
  const a = Array.from(x);
  const b = Array.from(word);
  const n = a.length + b.length;
  return n ? (2 * matchingCount(a, b)) / n : 1;
}

/** Python's `s1 < s2` on strings: by code point. */
export function cmpCodePoints(x, y) {
  const a = Array.from(x);
  const b = Array.from(y);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a[i].codePointAt(0) - b[i].codePointAt(0);
    if (d) return d;
  }
  return a.length - b.length;
}

export const sortedCp = (items) => [...items].sort(cmpCodePoints);

/** The choice most like `word` (case-insensitively), never `word` itself; or null. */
export function closest(word, choices, cutoff = 0.6) {
  const lowered = new Map();
  for (const c of new Set(choices)) if (c !== word) lowered.set(c.toLowerCase(), c);
  const key = word.toLowerCase();
  if (lowered.has(key)) return lowered.get(key);
  let best = null;
  for (const x of lowered.keys()) {
    const score = ratio(x, key);
    if (score < cutoff) continue;
    if (best === null || score > best[0] || (score === best[0] && cmpCodePoints(x, best[1]) > 0)) best = [score, x];
  }
  return best === null ? null : lowered.get(best[1]);
}

/** " (did you mean 'x'?)" as a Msg, or "". */
export function didYouMean(word, choices, cutoff = 0.6) {
  const match = closest(word, choices, cutoff);
  return match ? msg(" (did you mean '{match}'?)", { match }) : "";
}
