// The Registry: lookups and the resolution order (mirrors regctl/client/_resolve.py).

import {
  ClientError,
  InvalidManifest,
  ManifestError,
  NoActiveModel,
  NoCredentials,
  SecretNotSet,
  TemplatePinUnusable,
  UnknownCapability,
  UnknownModel,
  UnknownProvider,
  UnknownSecretScheme,
  UnknownTemplate,
} from "./errors.js";
import { catalogLanguage, msg, pyRepr, translate } from "./i18n.js";
import {
  asOf,
  checkArgs,
  checkPin,
  mergeParams,
  ordered,
  pinProblem,
  select,
} from "./resolve.js";
import { closest, didYouMean, sortedCp } from "./suggest.js";

const freeze = (v) => {
  if (v !== null && typeof v === "object") {
    for (const k of Object.keys(v)) freeze(v[k]);
    return Object.freeze(v);
  }
  return v;
};
const opt = (entry, key, fallback = null) => (Object.hasOwn(entry, key) ? entry[key] : fallback);

/** The name for a locale ("fa", "fa-IR", "fa_IR.UTF-8"): exact tag, its language, else `fallback`. */
export function pickName(fallback, names, locale) {
  if (!locale || !names) return fallback;
  const tag = String(locale).split(".")[0].split("@")[0].replace(/_/g, "-").toLowerCase();
  const lowered = new Map(Object.entries(names).map(([k, v]) => [k.toLowerCase(), v]));
  return lowered.get(tag) || lowered.get(tag.split("-")[0]) || fallback;
}

/** A provider entry (docs/manifest.md, "Provider entry"); field names as in the manifest. */
export class Provider {
  /** @param {object} entry @param {string} [locale] the registry's language, for apiKey()'s errors */
  constructor(entry, locale = "en") {
    if (entry === null || typeof entry !== "object" || typeof entry.id !== "string") {
      throw new TypeError("malformed provider");
    }
    // Not enumerable: a provider's fields are the manifest's, the language is the reader's.
    Object.defineProperty(this, "_locale", { value: locale });
    this.id = entry.id;
    this.display_name = opt(entry, "display_name", entry.id);
    this.display_names = freeze({ ...opt(entry, "display_names", {}) });
    this.api = opt(entry, "api", "openai");
    this.base_url = opt(entry, "base_url");
    this.enabled = Boolean(opt(entry, "enabled", true));
    this.credentials = freeze([...opt(entry, "credentials", [])]);
    const groups = opt(entry, "shared_key_groups", null);
    this.shared_key_groups = groups === null ? null : freeze([...groups]);
    this.allow_shared_credentials = Boolean(opt(entry, "allow_shared_credentials", true));
    this.defaults = freeze(opt(entry, "defaults", {}));
    this.rate_limits = freeze(opt(entry, "rate_limits", {}));
    this.region = opt(entry, "region");
    this.description = opt(entry, "description");
    this.docs_url = opt(entry, "docs_url");
    this.labels = freeze(opt(entry, "labels", {}));
    Object.freeze(this);
  }

  /** The name in `locale`, else `display_name`. */
  displayNameFor(locale) {
    return pickName(this.display_name, this.display_names, locale);
  }

  /**
   * Where the key for a call comes from (docs/resolution.md, "Keys"): `personal` when
   * given; else, when shared credentials are allowed, the first `env:NAME` reference set
   * in `env` (default `process.env` under Node), and when the provider lists
   * `shared_key_groups`, only for a caller whose `group` (a name or a list) is among them.
   * Returns `{value, source}`; throws NoCredentials naming each reference tried or the
   * groups allowed (never a value).
   */
  apiKey(personal = null, { env, group } = {}) {
    try {
      return this._apiKey(personal, env, group);
    } catch (err) {
      // Said in the language of the registry it came from, as the Python client does.
      if (err instanceof ClientError && err.msg && this._locale !== "en") err.message = translate(err.msg, this._locale);
      throw err;
    }
  }

  _apiKey(personal, env, group) {
    if (typeof personal === "string" && personal !== "") return { value: personal, source: "personal" };
    if (!this.allow_shared_credentials) {
      throw new NoCredentials(
        msg("provider {provider} allows only a personal key (allow_shared_credentials: false) and none was given", {
          provider: pyRepr(this.id),
        }),
      );
    }
    if (this.shared_key_groups !== null) {
      const asked = typeof group === "string" ? [group] : [...(group ?? [])];
      if (!asked.some((g) => this.shared_key_groups.includes(g))) {
        const shown = this.shared_key_groups.map(pyRepr).join(", ");
        const mine = asked.sort().map(pyRepr).join(", ");
        throw new NoCredentials(
          msg(
            "provider {provider} shares its key only with groups {groups} (caller's groups: {asked}) and no personal key was given",
            { provider: pyRepr(this.id), groups: shown || msg("none"), asked: mine || msg("none given") },
          ),
        );
      }
    }
    const vars = env ?? globalThis.process?.env ?? {};
    const tried = [];
    for (const ref of this.credentials) {
      const [scheme, rest] = [ref.slice(0, ref.indexOf(":")), ref.slice(ref.indexOf(":") + 1)];
      const err =
        scheme !== "env"
          ? new UnknownSecretScheme(`this reader resolves env: references only, not '${scheme}:'`)
          : Object.hasOwn(vars, rest) && vars[rest]
            ? null
            : new SecretNotSet(`${ref}: environment variable ${rest} is not set`);
      if (err === null) return { value: vars[rest], source: ref };
      tried.push(err instanceof SecretNotSet ? err.message : `${ref}: ${err.message}`);
    }
    if (tried.length === 0) {
      throw new NoCredentials(
        msg("provider {provider} has no credentials and no personal key", { provider: pyRepr(this.id) }),
      );
    }
    throw new NoCredentials(
      msg("no key for provider {provider}: {reasons}", { provider: pyRepr(this.id), reasons: tried.join("; ") }),
    );
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
    this.display_names = freeze({ ...opt(entry, "display_names", {}) });
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
  constructor(provider, model, capability, params, via, template, warnings = []) {
    this.provider = provider;
    this.model = model;
    this.capability = capability;
    this.params = freeze({ ...params });
    this.via = via;
    this.template = template ?? null;
    this.warnings = freeze(warnings.map((w) => ({ ...w })));
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
  asDict(locale = null) {
    return {
      provider: this.provider.id,
      model: this.model.key,
      id: this.model.id,
      upstream_id: this.upstreamId,
      display_name: locale ? this.model.displayNameFor(locale) : this.model.display_name,
      capability: this.capability,
      api: this.api,
      base_url: this.baseUrl,
      params: { ...this.params },
      via: this.via,
      template: this.template,
      warnings: this.warnings.map((w) => ({ code: w.code, message: String(w.message) })),
    };
  }
}

/** A verified manifest. Build it with `loadManifest` / `parseManifest` (index.js). */
export class Registry {
  /** @param {object} doc a verified document @param {string} source @param {string} [locale] */
  constructor(doc, source, locale = null) {
    this.source = source;
    this.digest = doc.digest;
    this.environment = typeof doc.environment === "string" ? doc.environment : null;
    /** The language of messages ("en", "fa"); codes never change with it. */
    this.locale = catalogLanguage(locale ?? globalThis.process?.env?.REGCTL_LANG ?? globalThis.process?.env?.LANG);
    const providers = {};
    for (const [pid, e] of Object.entries(doc.providers)) {
      try {
        providers[pid] = new Provider(e, this.locale);
      } catch {
        throw new InvalidManifest(
          msg("manifest {source}: malformed provider entry {provider}", { source, provider: pyRepr(pid) }),
        );
      }
    }
    this.providers = Object.freeze(providers);
    const caps = doc.registry.capabilities;
    if (!Array.isArray(caps) || caps.length === 0 || !caps.every((c) => typeof c === "string")) {
      throw new InvalidManifest(
        msg("manifest {source}: 'registry.capabilities' is missing or not a list of names", { source }),
      );
    }
    this.capabilities = Object.freeze([...caps]);
    this._caps = new Set(caps);
    this._active = new Map();
    for (const [pid, m] of Object.entries(doc.active)) {
      if (Object.hasOwn(this.providers, pid) && this.providers[pid].enabled) this._active.set(pid, { ...m });
    }
    this.defaults = freeze({ ...doc.defaults });
    this.fallbacks = freeze({ ...doc.fallbacks });
    this.templates = freeze(doc.templates);
    this._entries = doc.models;
    this._models = new Map();
    this.manifest = freeze(doc);
    Object.freeze(this);
  }

  /** `err` with its message in this registry's language (its code unchanged). */
  _said(err) {
    if (err instanceof ClientError && err.msg && this.locale !== "en") err.message = translate(err.msg, this.locale);
    return err;
  }

  _speak(fn) {
    try {
      return fn();
    } catch (err) {
      throw this._said(err);
    }
  }

  _getProvider(pid) {
    if (!Object.hasOwn(this.providers, pid)) {
      throw new UnknownProvider(
        msg("unknown provider '{provider}'{hint} (known: {known})", {
          provider: pid,
          hint: didYouMean(pid, Object.keys(this.providers)),
          known: sortedCp(Object.keys(this.providers)).join(", "),
        }),
      );
    }
    return this.providers[pid];
  }

  /** The provider, or UnknownProvider listing the known ones. */
  provider(pid) {
    return this._speak(() => this._getProvider(pid));
  }

  _checkCapability(capability) {
    if (!this._caps.has(capability)) {
      throw new UnknownCapability(
        msg("unknown capability '{capability}'{hint} (known: {known})", {
          capability,
          hint: didYouMean(capability, this._caps),
          known: sortedCp(this._caps).join(", "),
        }),
      );
    }
  }

  _activeKey(pid, capability) {
    const caps = this._active.get(pid);
    return caps !== undefined && Object.hasOwn(caps, capability) ? caps[capability] : undefined;
  }

  _model(key) {
    let m = this._models.get(key);
    if (m === undefined) {
      if (!Object.hasOwn(this._entries, key)) return null;
      try {
        m = new Model(this._entries[key]);
      } catch {
        throw new InvalidManifest(
          msg("manifest {source}: malformed model entry {model}", { source: this.source, model: pyRepr(key) }),
        );
      }
      this._models.set(key, m);
    }
    return m;
  }

  _pinned(model, provider) {
    let found;
    if (provider !== null) {
      this._getProvider(provider);
      found = this._model(`${provider}/${model}`);
      if (found === null && model.startsWith(`${provider}/`)) found = this._model(model);
    } else {
      found = this._model(model);
    }
    if (found !== null) return found;
    const key = provider ? `${provider}/${model}` : model;
    const keys = Object.keys(this._entries);
    const byId = new Map(keys.map((k) => [k.slice(k.indexOf("/") + 1), k]));
    const near = closest(key, keys) ?? byId.get(closest(model, byId.keys()) ?? "") ?? null;
    const hint = near && near !== key ? msg(" (did you mean '{match}'?)", { match: near }) : "";
    if (provider) {
      throw new UnknownModel(msg("unknown model '{model}' of provider '{provider}'{hint}", { model, provider, hint }));
    }
    if (!model.includes("/")) {
      throw new UnknownModel(msg("unknown model '{model}' (name it as 'provider/model'){hint}", { model, hint }));
    }
    throw new UnknownModel(msg("unknown model '{model}'{hint}", { model, hint }));
  }

  /** A model by "provider/model" (or id + provider), or UnknownModel. */
  model(key, provider = null) {
    return this._speak(() => this._pinned(key, provider ?? null));
  }

  /** The one active model of `provider` for `capability`, or null. */
  activeModel(provider, capability) {
    const key = this._activeKey(provider, capability);
    if (key !== undefined) {
      const m = this._model(key);
      if (m === null) {
        throw new ManifestError(
          msg("manifest {source}: active model {model} has no entry", { source: this.source, model: pyRepr(key) }),
        );
      }
      return m;
    }
    return this._speak(() => {
      this._getProvider(provider);
      this._checkCapability(capability);
      return null;
    });
  }

  /** Models in key order, filtered like Python's `Registry.models()`. */
  models({ provider = null, capability = null, active = null } = {}) {
    this._speak(() => {
      if (provider !== null) this._getProvider(provider);
      if (capability !== null) this._checkCapability(capability);
    });
    const out = [];
    for (const key of sortedCp(Object.keys(this._entries))) {
      const m = this._model(key);
      if (provider !== null && m.provider !== provider) continue;
      if (capability !== null && !m.capabilities.includes(capability)) continue;
      if (active !== null && m.isActive(capability) !== active) continue;
      out.push(m);
    }
    return out;
  }

  _query(q) {
    const query = {
      capability: q.capability ?? "chat",
      provider: q.provider ?? null,
      model: q.model ?? null,
      template: q.template ?? null,
      params: q.params ?? null,
      fallback: q.fallback ?? null,
      needs: q.needs ?? null,
      prefer: q.prefer ?? null,
      scope: q.scope ?? "order",
      strict: q.strict === true,
      day: null,
    };
    checkArgs(query.fallback, query.scope);
    if (q.today !== null && q.today !== undefined) query.day = asOf(q.today);
    return query;
  }

  // The pin (if any), the capability, the template's params, and whether the
  // capability's candidates may follow the pin.
  _pin(q, warnings) {
    let capability = q.capability;
    let tparams = {};
    let tcap = null;
    let tmodel = null;
    if (q.template !== null) {
      if (!Object.hasOwn(this.templates, q.template)) {
        throw new UnknownTemplate(
          msg("unknown template '{template}'{hint} (known: {known})", {
            template: q.template,
            hint: didYouMean(q.template, Object.keys(this.templates)),
            known: sortedCp(Object.keys(this.templates)).join(", ") || "-",
          }),
        );
      }
      const tmpl = this.templates[q.template];
      tparams = (Object.hasOwn(tmpl, "params") && tmpl.params) || {};
      tcap = (Object.hasOwn(tmpl, "capability") && tmpl.capability) || null;
      tmodel = (Object.hasOwn(tmpl, "model") && tmpl.model) || null;
      if (tcap) capability = tcap;
    }
    this._checkCapability(capability);
    if (q.model !== null) {
      const m = this._pinned(q.model, q.provider);
      const p = checkPin(this, m, capability, q.day, q.strict, warnings);
      const params = mergeParams(p, m, tparams, q.params, q.strict, warnings);
      return [capability, tparams, new Resolved(p, m, capability, params, "model", q.template, warnings), q.fallback === true];
    }
    if (tmodel && (q.provider === null || tmodel.split("/")[0] === q.provider)) {
      const why = pinProblem(this, tmodel, capability, q.day);
      if (why === null) {
        const m = this._pinned(tmodel, null);
        const p = this._getProvider(m.provider);
        const params = mergeParams(p, m, tparams, q.params, q.strict, warnings);
        return [capability, tparams, new Resolved(p, m, capability, params, "template", q.template, warnings), Boolean(tcap)];
      }
      if (!tcap) {
        throw new TemplatePinUnusable(
          msg("template '{template}' pins '{pin}', which {why}, and names no capability to fall back on", {
            template: q.template,
            pin: tmodel,
            why,
          }),
        );
      }
      const text = msg("template '{template}' pins '{pin}', which {why}: it falls back to capability '{capability}'", {
        template: q.template,
        pin: tmodel,
        why,
        capability,
      });
      if (q.strict) throw new TemplatePinUnusable(text);
      warnings.push({ code: "template_pin_unusable", message: text });
    }
    if (q.provider !== null) this._getProvider(q.provider);
    return [capability, tparams, null, true];
  }

  _localized(warnings) {
    return warnings.map((w) => ({ code: w.code, message: translate(w.message, this.locale) }));
  }

  /**
   * Choose what to call (docs/resolution.md): `{capability, provider, model, template,
   * params, fallback, needs, prefer, scope, strict, today}`, all optional.
   */
  resolve(question = {}) {
    return this._speak(() => {
      const q = this._query(question);
      const warnings = [];
      const [capability, tparams, pin] = this._pin(q, warnings);
      if (pin !== null) return this._relabel(pin);
      let chosen;
      if (q.needs || q.prefer !== null) {
        const cands = ordered(this, capability, q.provider, q.fallback, q.scope, q.day);
        chosen = select(this, capability, cands, q.needs ?? {}, q.prefer, q.scope)[0];
      } else {
        const tried = [];
        [chosen] = ordered(this, capability, q.provider, q.fallback, q.scope, q.day, tried);
        if (chosen === undefined) {
          const where = tried.length
            ? msg(" (tried: {providers})", { providers: tried.join(", ") })
            : msg(" (no provider given, no default)");
          throw new NoActiveModel(msg("no active model for capability '{capability}'{where}", { capability, where }));
        }
      }
      const [p, m, step] = chosen;
      const params = mergeParams(p, m, tparams, q.params, q.strict, warnings);
      return new Resolved(p, m, capability, params, step, q.template, this._localized(warnings));
    });
  }

  _relabel(r) {
    return new Resolved(r.provider, r.model, r.capability, r.params, r.via, r.template, this._localized(r.warnings));
  }

  /** Every answer `resolve` could give, best first (the order a retry loop walks). */
  candidates(question = {}) {
    return this._speak(() => {
      const q = this._query(question);
      const warnings = [];
      const [capability, tparams, pin, more] = this._pin(q, warnings);
      const out = pin !== null ? [this._relabel(pin)] : [];
      if (!more) return out;
      let cands = ordered(this, capability, q.provider, q.fallback, q.scope, q.day);
      if (q.needs || q.prefer !== null) {
        try {
          cands = select(this, capability, cands, q.needs ?? {}, q.prefer, q.scope);
        } catch (err) {
          if (!(err instanceof NoActiveModel)) throw err;
          cands = [];
        }
      }
      for (const [p, m, step] of cands) {
        if (pin !== null && m.key === pin.model.key) continue;
        const mine = pin === null ? [...warnings] : [];
        const params = mergeParams(p, m, tparams, q.params, q.strict, mine);
        out.push(new Resolved(p, m, capability, params, step, q.template, this._localized(mine)));
      }
      return out;
    });
  }
}
