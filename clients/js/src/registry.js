// The Registry: lookups and the resolution order (mirrors regctl/client/_resolve.py).

import {
  InvalidManifest,
  ManifestError,
  NoActiveModel,
  ResolutionError,
  UnknownCapability,
  UnknownModel,
  UnknownProvider,
  UnknownTemplate,
} from "./errors.js";

const freeze = (v) => {
  if (v !== null && typeof v === "object") {
    for (const k of Object.keys(v)) freeze(v[k]);
    return Object.freeze(v);
  }
  return v;
};
const opt = (entry, key, fallback = null) => (entry[key] === undefined ? fallback : entry[key]);
const quote = (s) => `'${s}'`;

/** The name for a locale ("fa", "fa-IR", "fa_IR.UTF-8"): exact tag, its language, else `fallback`. */
export function pickName(fallback, names, locale) {
  if (!locale || !names) return fallback;
  const tag = String(locale).split(".")[0].split("@")[0].replace(/_/g, "-").toLowerCase();
  const lowered = new Map(Object.entries(names).map(([k, v]) => [k.toLowerCase(), v]));
  return lowered.get(tag) || lowered.get(tag.split("-")[0]) || fallback;
}

/** A provider entry (docs/manifest.md, "Provider entry"); field names as in the manifest. */
export class Provider {
  constructor(entry) {
    if (entry === null || typeof entry !== "object" || typeof entry.id !== "string") {
      throw new TypeError("malformed provider");
    }
    this.id = entry.id;
    this.display_name = opt(entry, "display_name", entry.id);
    this.display_names = freeze({ ...(entry.display_names ?? {}) });
    this.api = opt(entry, "api", "openai");
    this.base_url = opt(entry, "base_url");
    this.enabled = Boolean(opt(entry, "enabled", true));
    this.credentials = freeze([...opt(entry, "credentials", [])]);
    this.allow_shared_credentials = Boolean(opt(entry, "allow_shared_credentials", true));
    this.defaults = freeze(opt(entry, "defaults", {}));
    this.rate_limits = freeze(opt(entry, "rate_limits", {}));
    this.description = opt(entry, "description");
    this.docs_url = opt(entry, "docs_url");
    this.labels = freeze(opt(entry, "labels", {}));
    Object.freeze(this);
  }

  /** The name in `locale`, else `display_name`. */
  displayNameFor(locale) {
    return pickName(this.display_name, this.display_names, locale);
  }
}

/** A model entry plus `key` ("provider/id"); `active` lists the capabilities it is active for. */
export class Model {
  constructor(entry) {
    if (entry === null || typeof entry !== "object" || entry.provider === undefined || entry.id === undefined) {
      throw new TypeError("malformed model");
    }
    this.provider = entry.provider;
    this.id = entry.id;
    this.key = `${entry.provider}/${entry.id}`;
    this.upstream_id = opt(entry, "upstream_id", entry.id);
    this.display_name = opt(entry, "display_name", entry.id);
    this.display_names = freeze({ ...(entry.display_names ?? {}) });
    this.capabilities = freeze([...opt(entry, "capabilities", [])]);
    this.active = freeze([...opt(entry, "active", [])]);
    this.supports = freeze(opt(entry, "supports", {}));
    this.defaults = freeze(opt(entry, "defaults", {}));
    this.limits = freeze(opt(entry, "limits", {}));
    this.pricing = freeze(opt(entry, "pricing", {}));
    this.rate_limits = freeze(opt(entry, "rate_limits", {}));
    this.released = opt(entry, "released");
    this.deprecated = opt(entry, "deprecated");
    this.description = opt(entry, "description");
    this.docs_url = opt(entry, "docs_url");
    this.labels = freeze(opt(entry, "labels", {}));
    Object.freeze(this);
  }

  /** The name in `locale` ("fa", "fa-IR"): `display_names` by tag, then language, else `display_name`. */
  displayNameFor(locale) {
    return pickName(this.display_name, this.display_names, locale);
  }

  /** Active for `capability`, or for anything when it is omitted. */
  isActive(capability) {
    return capability === undefined || capability === null
      ? this.active.length > 0
      : this.active.includes(capability);
  }

  /** The same plain data as Python's `Model.as_dict()`. */
  asDict() {
    return JSON.parse(JSON.stringify({ ...this }));
  }
}

/** What to call: provider + model + merged params (call > template > model > provider). */
export class Resolved {
  constructor(provider, model, capability, params, via, template) {
    this.provider = provider;
    this.model = model;
    this.capability = capability;
    this.params = freeze({ ...params });
    this.via = via;
    this.template = template ?? null;
    Object.freeze(this);
  }
  get upstreamId() {
    return this.model.upstream_id;
  }
  get baseUrl() {
    return this.provider.base_url;
  }
  get api() {
    return this.provider.api;
  }
  /** The same plain data as Python's `Resolved.as_dict()` (never a key value). */
  asDict() {
    return {
      provider: this.provider.id,
      model: this.model.key,
      id: this.model.id,
      upstream_id: this.upstreamId,
      display_name: this.model.display_name,
      capability: this.capability,
      api: this.api,
      base_url: this.baseUrl,
      params: { ...this.params },
      via: this.via,
      template: this.template,
    };
  }
}

/** A verified manifest. Build it with `loadManifest` / `parseManifest` (index.js). */
export class Registry {
  /** @param {object} doc a verified document @param {string} source */
  constructor(doc, source) {
    this.source = source;
    this.digest = doc.digest;
    this.environment = typeof doc.environment === "string" ? doc.environment : null;
    try {
      this.providers = Object.freeze(
        Object.fromEntries(Object.entries(doc.providers).map(([pid, e]) => [pid, new Provider(e)])),
      );
    } catch {
      throw new InvalidManifest(`manifest ${source}: malformed provider entry`);
    }
    const caps = doc.registry.capabilities;
    if (!Array.isArray(caps) || caps.length === 0) {
      throw new InvalidManifest(`manifest ${source}: 'registry.capabilities' is missing`);
    }
    this.capabilities = Object.freeze([...caps]);
    this._caps = new Set(caps);
    this._active = new Map();
    for (const [pid, m] of Object.entries(doc.active)) {
      if (this.providers[pid]?.enabled) this._active.set(pid, { ...m });
    }
    this.defaults = freeze({ ...doc.defaults });
    this.fallbacks = freeze({ ...doc.fallbacks });
    this.templates = freeze(doc.templates);
    this._entries = doc.models;
    this._models = new Map();
    this.manifest = freeze(doc);
    Object.freeze(this);
  }

  /** The provider, or UnknownProvider listing the known ones. */
  provider(pid) {
    if (!Object.hasOwn(this.providers, pid)) {
      const known = Object.keys(this.providers).sort().join(", ");
      throw new UnknownProvider(`unknown provider ${quote(pid)} (known: ${known})`);
    }
    return this.providers[pid];
  }

  _checkCapability(capability) {
    if (!this._caps.has(capability)) {
      const known = [...this._caps].sort().join(", ");
      throw new UnknownCapability(`unknown capability ${quote(capability)} (known: ${known})`);
    }
  }

  _model(key) {
    let m = this._models.get(key);
    if (m === undefined) {
      if (!Object.hasOwn(this._entries, key)) return null;
      try {
        m = new Model(this._entries[key]);
      } catch {
        throw new InvalidManifest(`manifest ${this.source}: malformed model entry ${quote(key)}`);
      }
      this._models.set(key, m);
    }
    return m;
  }

  /** A model by "provider/model" (or id + provider), or UnknownModel. */
  model(key, provider) {
    let found;
    if (provider !== undefined && provider !== null) {
      this.provider(provider);
      found = this._model(`${provider}/${key}`);
      if (found === null && key.startsWith(`${provider}/`)) found = this._model(key);
    } else {
      found = this._model(key);
    }
    if (found === null) {
      const hint = provider ? ` of provider ${quote(provider)}` : " (use 'provider/model')";
      throw new UnknownModel(`unknown model ${quote(key)}${hint}`);
    }
    return found;
  }

  /** The one active model of `provider` for `capability`, or null. */
  activeModel(provider, capability) {
    const key = this._active.get(provider)?.[capability];
    if (key !== undefined) {
      const m = this._model(key);
      if (m === null) throw new ManifestError(`manifest ${this.source}: active model '${key}' has no entry`);
      return m;
    }
    this.provider(provider);
    this._checkCapability(capability);
    return null;
  }

  /** Models in key order, filtered like Python's `Registry.models()`. */
  models({ provider = null, capability = null, active = null } = {}) {
    if (provider !== null) this.provider(provider);
    if (capability !== null) this._checkCapability(capability);
    const out = [];
    for (const key of Object.keys(this._entries).sort()) {
      const m = this._model(key);
      if (provider !== null && m.provider !== provider) continue;
      if (capability !== null && !m.capabilities.includes(capability)) continue;
      if (active !== null && m.isActive(capability) !== active) continue;
      out.push(m);
    }
    return out;
  }

  *_order(capability, provider, fallback) {
    const seen = new Set();
    const steps = [];
    if (provider !== null) steps.push([provider, "provider"]);
    if (provider === null || fallback) {
      const def = this.defaults[capability];
      if (def !== undefined) steps.push([def, "default"]);
    }
    if (fallback) for (const pid of this.fallbacks[capability] ?? []) steps.push([pid, "fallback"]);
    for (const [pid, via] of steps) {
      if (!seen.has(pid)) {
        seen.add(pid);
        yield [pid, via];
      }
    }
  }

  _usable(pid, capability) {
    const p = this.providers[pid];
    if (p === undefined || !p.enabled) return null;
    const key = this._active.get(pid)?.[capability];
    const m = key !== undefined ? this._model(key) : null;
    return m === null ? null : [p, m];
  }

  _pinProblem(key, today) {
    const m = this._model(key);
    if (m === null) return null;
    const p = this.providers[m.provider];
    if (p !== undefined && !p.enabled) return `belongs to disabled provider ${quote(p.id)}`;
    if (m.active.length === 0) return "is inactive";
    const day = today ?? new Date().toISOString().slice(0, 10);
    if (m.deprecated && m.deprecated <= day) return `is deprecated since ${m.deprecated}`;
    return null;
  }

  /**
   * Choose what to call for a capability, in the order of docs/client.md: pinned
   * model, template pin, provider, registry default, fallbacks.
   */
  resolve({
    capability = "chat",
    provider = null,
    model = null,
    template = null,
    params = null,
    fallback = true,
    today = null,
  } = {}) {
    let tparams = {};
    let via = "model";
    let fellBack = "";
    if (template !== null) {
      if (!Object.hasOwn(this.templates, template)) {
        const known = Object.keys(this.templates).sort().join(", ") || "none";
        throw new UnknownTemplate(`unknown template ${quote(template)} (known: ${known})`);
      }
      const tmpl = this.templates[template];
      tparams = tmpl.params ?? {};
      const tcap = tmpl.capability;
      const tmodel = tmpl.model;
      if (tcap) capability = tcap;
      if (model === null && tmodel) {
        const why = this._pinProblem(tmodel, today);
        if (why === null) {
          model = tmodel;
          via = "template";
        } else if (tcap) {
          fellBack = `template-fallback: pinned ${quote(tmodel)} ${why}; `;
        } else {
          throw new NoActiveModel(
            `template ${quote(template)} pins ${quote(tmodel)}, which ${why}, and names no capability to fall back on`,
          );
        }
      }
    }
    this._checkCapability(capability);
    const make = (p, m, how) =>
      new Resolved(p, m, capability, { ...p.defaults, ...m.defaults, ...tparams, ...(params ?? {}) }, how, template);
    if (model !== null) {
      const m = this.model(model, via === "model" ? provider : null);
      const p = this.provider(m.provider);
      if (!p.enabled) throw new ResolutionError(`model ${quote(m.key)} belongs to disabled provider ${quote(p.id)}`);
      if (!m.capabilities.includes(capability)) {
        throw new ResolutionError(`model ${quote(m.key)} does not have capability ${quote(capability)}`);
      }
      return make(p, m, via);
    }
    if (provider !== null) this.provider(provider);
    const tried = [];
    for (const [pid, step] of this._order(capability, provider, fallback)) {
      const found = this._usable(pid, capability);
      if (found !== null) return make(found[0], found[1], fellBack + step);
      tried.push(pid);
    }
    const where = tried.length ? ` (tried: ${tried.join(", ")})` : " (no provider given, no default)";
    const lead = fellBack ? fellBack.replace(/^template-fallback: /, "") : "";
    throw new NoActiveModel(`${lead}no active model for capability ${quote(capability)}${where}`);
  }
}
