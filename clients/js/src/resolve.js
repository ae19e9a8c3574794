// The resolution contract (docs/resolution.md), as regctl/client/_resolve.py and
// _select.py answer it: pins, the order, candidates, needs/prefer/scope, params and caps.

import {
  BadQuery,
  CapabilityMismatch,
  ModelDeprecated,
  ModelInactive,
  NoActiveModel,
  ParamsOverLimit,
  ProviderDisabled,
  TemplatePinUnusable,
} from "./errors.js";
import { msg } from "./i18n.js";

export const SCOPES = ["order", "all"];
export const PREFER = ["cheapest", "newest", "largest-context"];
const SUPPORTS = ["system_prompt", "streaming", "tools", "json_mode"];
const NUMERIC_NEEDS = {
  context: ["limits", "context_window", true],
  max_output: ["limits", "max_output_tokens", true],
  max_input_per_mtok: ["pricing", "input_per_mtok", false],
  max_output_per_mtok: ["pricing", "output_per_mtok", false],
};
const STRICT = {
  model_inactive: ModelInactive,
  model_deprecated: ModelDeprecated,
  template_pin_unusable: TemplatePinUnusable,
  params_over_limit: ParamsOverLimit,
};
const own = (obj, key) => obj !== null && typeof obj === "object" && Object.hasOwn(obj, key);
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

/** Python's repr() of a JSON value, for messages that quote what was given. */
export function pyRepr(v) {
  if (typeof v === "string") return `'${v}'`;
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloat(v);
  return JSON.stringify(v);
}

function pyFloat(v) {
  const s = String(v);
  return /[.e]/.test(s) ? s.replace(/e([+-])(\d)$/, "e$10$2") : `${s}.0`;
}

/** Python's format(x, "g"): 6 significant digits, no trailing zeros. */
export function fmtG(x) {
  if (x === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = x.toExponential(5).split("e");
    const m = mant.includes(".") ? mant.replace(/\.?0+$/, "") : mant;
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const fixed = x.toPrecision(6);
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

/** `today` as YYYY-MM-DD (UTC today when null); BadQuery otherwise. */
export function asOf(today) {
  if (today === null || today === undefined) return new Date().toISOString().slice(0, 10);
  if (today instanceof Date && !Number.isNaN(today.getTime())) return today.toISOString().slice(0, 10);
  if (typeof today === "string" && /^\d{4}-\d{2}-\d{2}$/.test(today)) {
    const d = new Date(`${today}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === today) return today;
  }
  throw new BadQuery(msg("today must be a date as YYYY-MM-DD, got '{value}'", { value: String(today) }));
}

export function checkArgs(fallback, scope) {
  if (fallback !== null && fallback !== undefined && typeof fallback !== "boolean") {
    throw new BadQuery(msg("fallback must be true, false or unset, got '{value}'", { value: String(fallback) }));
  }
  if (!SCOPES.includes(scope)) {
    throw new BadQuery(msg("unknown scope '{scope}' (choose {choices})", { scope: String(scope), choices: SCOPES.join(", ") }));
  }
}

/** Provider ids to try, each with its step: the contract's order, without repeats. */
export function* order(reg, capability, provider, fallback, scope) {
  const steps = [];
  if (provider !== null) steps.push([provider, "provider"]);
  const crossing = fallback === true || provider === null;
  if (crossing) {
    if (own(reg.defaults, capability)) steps.push([reg.defaults[capability], "default"]);
    if (fallback !== false && own(reg.fallbacks, capability)) {
      for (const pid of reg.fallbacks[capability]) steps.push([pid, "fallback"]);
    }
  }
  const seen = new Set();
  for (const [pid, step] of steps) {
    if (!seen.has(pid)) {
      seen.add(pid);
      yield [pid, step];
    }
  }
  if (scope === "all" && crossing && fallback !== false) {
    for (const pid of Object.keys(reg.providers).sort()) if (!seen.has(pid)) yield [pid, "scope"];
  }
}

const deprecated = (m, day) => Boolean(m.deprecated) && m.deprecated <= (day ?? asOf(null));

/** The candidates in order: [provider, model, step] for each provider's one active model. */
export function ordered(reg, capability, provider, fallback, scope, day, tried = null) {
  const out = [];
  for (const [pid, step] of order(reg, capability, provider, fallback, scope)) {
    const p = own(reg.providers, pid) ? reg.providers[pid] : null;
    const key = p !== null && p.enabled ? reg._activeKey(pid, capability) : undefined;
    const m = key !== undefined ? reg._model(key) : null;
    if (p === null || m === null || deprecated(m, day)) {
      if (tried !== null) tried.push(pid);
      continue;
    }
    out.push([p, m, step]);
  }
  return out;
}

function notice(code, text, strict, warnings) {
  if (strict) throw new STRICT[code](text);
  warnings.push({ code, message: text });
}

export function checkPin(reg, m, capability, day, strict, warnings) {
  const p = reg._getProvider(m.provider);
  if (!p.enabled) {
    throw new ProviderDisabled(msg("model '{model}' belongs to disabled provider '{provider}'", { model: m.key, provider: p.id }));
  }
  if (!m.capabilities.includes(capability)) {
    throw new CapabilityMismatch(msg("model '{model}' does not have capability '{capability}'", { model: m.key, capability }));
  }
  if (!m.active.includes(capability)) {
    notice("model_inactive", msg("model '{model}' is not active for capability '{capability}'", { model: m.key, capability }), strict, warnings);
  }
  if (m.deprecated) {
    const today = day ?? asOf(null);
    if (m.deprecated <= today) {
      const text = msg("model '{model}' is deprecated since {date} (as of {today})", { model: m.key, date: m.deprecated, today });
      notice("model_deprecated", text, strict, warnings);
    }
  }
  return p;
}

export function pinProblem(reg, key, capability, day) {
  const m = reg._model(key);
  if (m === null) return null;
  const p = own(reg.providers, m.provider) ? reg.providers[m.provider] : null;
  if (p !== null && !p.enabled) return msg("belongs to disabled provider '{provider}'", { provider: p.id });
  if (!m.active.includes(capability)) return msg("is not active for capability '{capability}'", { capability });
  if (deprecated(m, day)) return msg("is deprecated since {date}", { date: String(m.deprecated) });
  return null;
}

/** call > template > model defaults > provider defaults; max_tokens and temperature capped. */
export function mergeParams(p, m, tparams, params, strict, warnings) {
  const merged = { ...p.defaults, ...m.defaults, ...tparams, ...(params ?? {}) };
  const cap = own(m.limits, "max_output_tokens") ? m.limits.max_output_tokens : undefined;
  const asked = merged.max_tokens;
  if (cap !== undefined && isNumber(asked) && asked > cap) {
    const text = msg("max_tokens {asked} is above the max_output_tokens {cap} of '{model}': capped", { asked, cap, model: m.key });
    notice("params_over_limit", text, strict, warnings);
    merged.max_tokens = cap;
  }
  capTemperature(p, m, merged, strict, warnings);
  return merged;
}

/** The highest temperature each API accepts where it is below the schema's 2
 * (the same table as regctl.base.sampling; the conformance cases hold them equal). */
const TEMPERATURE_MAX = { anthropic: 1 };

/** A temperature outside what the provider's API accepts is brought into range. */
function capTemperature(p, m, merged, strict, warnings) {
  const asked = merged.temperature;
  if (!isNumber(asked)) return;
  const top = own(TEMPERATURE_MAX, p.api) ? TEMPERATURE_MAX[p.api] : 2;
  if (asked >= 0 && asked <= top) return;
  const bound = asked > top ? top : 0;
  const text = msg("temperature {asked} is outside the range 0 to {top} of the {api} API of '{model}': set to {bound}", { asked, top, api: p.api, model: m.key, bound });
  notice("params_over_limit", text, strict, warnings);
  merged.temperature = bound;
}

// -- needs and prefer -------------------------------------------------------------

export function checkNeeds(reg, needs) {
  for (const [name, value] of Object.entries(needs)) {
    if (own(NUMERIC_NEEDS, name)) {
      if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
        throw new BadQuery(msg("need '{need}' takes a number >= 0, got {value}", { need: name, value: pyRepr(value) }));
      }
    } else if (SUPPORTS.includes(name) || reg._caps.has(name)) {
      if (typeof value !== "boolean") {
        throw new BadQuery(msg("need '{need}' takes true or false, got {value}", { need: name, value: pyRepr(value) }));
      }
    } else {
      const known = [...new Set([...Object.keys(NUMERIC_NEEDS), ...SUPPORTS, ...reg._caps])].sort();
      throw new BadQuery(msg("unknown need '{need}' (known: {known})", { need: name, known: known.join(", ") }));
    }
  }
}

export function checkPrefer(prefer) {
  if (prefer !== null && !PREFER.includes(prefer)) {
    throw new BadQuery(msg("unknown prefer '{prefer}' (choose {choices})", { prefer: String(prefer), choices: PREFER.join(", ") }));
  }
}

export function describe(needs) {
  const parts = [];
  for (const [name, value] of Object.entries(needs)) {
    if (own(NUMERIC_NEEDS, name)) parts.push(`${name}${NUMERIC_NEEDS[name][2] ? ">=" : "<="}${fmtG(value)}`);
    else parts.push(value ? name : `no ${name}`);
  }
  return parts.join(", ") || "no needs";
}

function unmet(m, needs) {
  for (const [name, value] of Object.entries(needs)) {
    if (own(NUMERIC_NEEDS, name)) {
      const [section, field, minimum] = NUMERIC_NEEDS[name];
      const block = section === "limits" ? m.limits : m.pricing;
      const have = own(block, field) ? block[field] : null;
      if (have === null || typeof have !== "number") return `no ${field}`;
      if (minimum ? have < value : have > value) return `${field} ${fmtG(have)}`;
      continue;
    }
    const has = m.capabilities.includes(name) || (own(m.supports, name) && m.supports[name] === true);
    if (has !== value) return `${value ? "no" : "has"} ${name}`;
  }
  return null;
}

const INF = Number.POSITIVE_INFINITY;
const num = (v) => (typeof v === "number" ? v : 0);
const RANK = {
  cheapest: (m) => {
    const i = own(m.pricing, "input_per_mtok") ? m.pricing.input_per_mtok : null;
    const o = own(m.pricing, "output_per_mtok") ? m.pricing.output_per_mtok : null;
    return i === null && o === null ? INF : num(i) + num(o);
  },
  newest: (m) => {
    if (!m.released || !/^\d{4}-\d{2}-\d{2}$/.test(m.released)) return INF;
    const t = Date.parse(`${m.released}T00:00:00Z`);
    return Number.isNaN(t) ? INF : -t;
  },
  "largest-context": (m) => -(own(m.limits, "context_window") ? m.limits.context_window : 0),
};

/** The candidates that meet `needs`, best first; NoActiveModel when none. */
export function select(reg, capability, cands, needs, prefer, scope) {
  checkPrefer(prefer);
  checkNeeds(reg, needs);
  const fits = [];
  const rejected = [];
  for (const c of cands) {
    const why = unmet(c[1], needs);
    if (why === null) fits.push(c);
    else rejected.push(`${c[1].key} (${why})`);
  }
  if (fits.length === 0) {
    throw new NoActiveModel(
      msg("no active model for capability '{capability}' meets {needs} (scope {scope}: {seen})", {
        capability,
        needs: describe(needs),
        scope,
        seen: rejected.length ? rejected.join("; ") : "-",
      }),
    );
  }
  if (prefer !== null) {
    const rank = RANK[prefer];
    fits.sort((x, y) => {
      const a = rank(x[1]);
      const b = rank(y[1]);
      return a < b ? -1 : a > b ? 1 : 0; // Array.prototype.sort is stable: ties keep the order
    });
  }
  return fits;
}
