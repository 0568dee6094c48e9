/**
 * A small strict JSON parser for signed claims (JWS-04). `JSON.parse` cannot serve here: it lets a
 * later duplicate member win silently and turns `1.0` or `1e9` into integers, while the reference
 * (serde) rejects duplicated modelled fields and non-integer numbers for integer fields. Numbers are
 * therefore kept as their source text, and objects remember which member names occurred twice.
 */

export class JsonNumber {
  constructor(readonly raw: string) {}
}

export class JsonObject {
  readonly fields = new Map<string, JsonValue>();
  /** Member names that occurred more than once (the first value is kept in `fields`). */
  duplicates: Set<string> | undefined;
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

export class JsonError extends Error {
  override readonly name = 'JsonError';
}

/** serde_json's recursion limit; deeper documents are refused rather than risking the stack. */
const MAX_DEPTH = 128;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings; this finds them.
const CONTROL = /[\u0000-\u001f]/;
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly (invalid sequences are errors) and parses one JSON document. */
export function parseJsonBytes(bytes: Uint8Array): JsonValue {
  let text: string;
  try {
    text = UTF8_STRICT.decode(bytes);
  } catch {
    throw new JsonError('invalid UTF-8');
  }
  return parseJson(text);
}

export function parseJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('trailing characters');
  return value;
}

class Parser {
  pos = 0;
  /** Next quote / backslash at or after `pos` (-2 unknown, -1 none left), cached so that scanning
   * stays linear even for hostile strings full of escapes. */
  private quoteAt = -2;
  private backslashAt = -2;

  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonError(`${message} at offset ${this.pos}`);
  }

  skipWhitespace(): void {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  value(depth: number): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  private literal<T>(word: string, result: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
    return result;
  }

  private number(): JsonNumber {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail('expected a value');
    this.pos += match[0].length;
    return new JsonNumber(match[0]);
  }

  private object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const result = new JsonObject();
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('expected a member name');
      const name = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.skipWhitespace();
      const member = this.value(depth);
      if (result.fields.has(name)) {
        result.duplicates ??= new Set();
        result.duplicates.add(name);
      } else {
        result.fields.set(name, member);
      }
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return result;
      if (next !== ',') this.fail("expected ',' or '}'");
      this.skipWhitespace();
    }
  }

  private array(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const result: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth));
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === ']') return result;
      if (next !== ',') this.fail("expected ',' or ']'");
      this.skipWhitespace();
    }
  }

  private string(): string {
    const { text } = this;
    this.pos++;
    let out = '';
    for (;;) {
      // Copy the run up to the next quote or backslash in one slice; only that run is scanned
      // for control characters (long strings, such as inline UCAN proofs, stay fast).
      const quote = this.nextQuote();
      if (quote < 0) this.fail('unterminated string');
      const backslash = this.nextBackslash();
      const end = backslash >= 0 && backslash < quote ? backslash : quote;
      const run = text.slice(this.pos, end);
      if (CONTROL.test(run)) this.fail('control character in string');
      out += run;
      this.pos = end;
      if (end === quote) {
        this.pos++;
        return out;
      }
      out += this.escape();
    }
  }

  private nextQuote(): number {
    if (this.quoteAt !== -1 && this.quoteAt < this.pos) this.quoteAt = this.text.indexOf('"', this.pos);
    return this.quoteAt;
  }

  private nextBackslash(): number {
    if (this.backslashAt !== -1 && this.backslashAt < this.pos) {
      this.backslashAt = this.text.indexOf('\\', this.pos);
    }
    return this.backslashAt;
  }

  private escape(): string {
    const c = this.text[this.pos + 1];
    this.pos += 2;
    switch (c) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u':
        return this.unicodeEscape();
      default:
        return this.fail('invalid escape');
    }
  }

  /** `\uXXXX`; a surrogate must form a proper pair, as serde_json requires. */
  private unicodeEscape(): string {
    const high = this.hex4();
    if (high >= 0xdc00 && high <= 0xdfff) this.fail('lone trailing surrogate');
    if (high < 0xd800 || high > 0xdbff) return String.fromCharCode(high);
    if (this.text[this.pos] !== '\\' || this.text[this.pos + 1] !== 'u') this.fail('lone leading surrogate');
    this.pos += 2;
    const low = this.hex4();
    if (low < 0xdc00 || low > 0xdfff) this.fail('invalid surrogate pair');
    return String.fromCharCode(high, low);
  }

  private hex4(): number {
    const digits = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail('invalid unicode escape');
    this.pos += 4;
    return Number.parseInt(digits, 16);
  }
}
