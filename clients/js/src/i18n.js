// Messages in the caller's language, from the same catalogue as Python's (the .po files
// under src/regctl/locale): messages.js is generated from them by scripts/js_messages.py.
// A message is a Msg: its English text is the template filled in, and it remembers the
// template and the values so that it can be said in another language.

import { MESSAGES } from "./messages.js";

const fill = (template, args) =>
  template.replace(/\{\{|\}\}|\{(\w+)\}/g, (whole, name) => {
    if (whole === "{{") return "{";
    if (whole === "}}") return "}";
    const value = args[name];
    return value === undefined ? whole : String(value);
  });

export class Msg {
  constructor(template, args = {}) {
    this.template = template;
    this.args = args;
    Object.freeze(this);
  }
  toString() {
    return fill(this.template, this.args);
  }
}

/** Mark `template` for translation and fill it (`{field}` as in Python's str.format). */
export const msg = (template, args = {}) => new Msg(template, args);

/** "fa_IR.UTF-8" / "fa-IR" -> "fa"; "C", "POSIX", empty -> null (as Python's i18n.normalize). */
export function normalizeLocale(value) {
  if (!value) return null;
  const code = String(value).split(":")[0].split(".")[0].split("@")[0].replace(/-/g, "_").split("_")[0].toLowerCase();
  return code === "" || code === "c" || code === "posix" ? null : code;
}

/** The language with a catalogue for `locale` ("en" when there is none). */
export function catalogLanguage(locale) {
  const code = normalizeLocale(locale);
  return code !== null && Object.hasOwn(MESSAGES, code) ? code : "en";
}

/** `text` (a Msg, its parts too) in `locale`; anything else as it is. */
export function translate(text, locale) {
  if (!(text instanceof Msg)) return String(text);
  const lang = catalogLanguage(locale);
  if (lang === "en") return text.toString();
  const table = MESSAGES[lang];
  const args = {};
  for (const [k, v] of Object.entries(text.args)) args[k] = v instanceof Msg ? translate(v, lang) : v;
  const template = Object.hasOwn(table, text.template) ? table[text.template] : text.template;
  return fill(template, args);
}

/**
 * A value as Python's repr() shows it in the Python client's messages ('x', None, True),
 * so that a message filled here is the same text in every reader.
 */
export function pyRepr(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replace(/\\/g, "\\\\").replace(/[\x00-\x1f\x7f]/g, (c) =>
      c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\r" ? "\\r" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
    );
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? String(value);
}
