import { describe, expect, it } from 'vitest';
import {
  asObject,
  ClaimTypeError,
  firstAudience,
  optionalAudience,
  optionalString,
  optionalU64,
  stringArrayOrEmpty,
  stringOrEmpty,
} from '../src/encoding/claims.js';
import { JsonError, type JsonNumber, JsonObject, parseJson, parseJsonBytes } from '../src/encoding/json.js';
import {
  Base64Error,
  constantTimeEqual,
  decodeBase64Padded,
  decodeBase64Url,
  encodeBase64Padded,
  encodeBase64Url,
} from '../src/index.js';

const obj = (text: string) => asObject(parseJson(text));

describe('ENC-01 strict base64', () => {
  it('ENC-01 base64url decodes canonical unpadded input', () => {
    expect(decodeBase64Url('')).toEqual(Buffer.alloc(0));
    expect(decodeBase64Url('AQID')).toEqual(Buffer.from([1, 2, 3]));
    expect(decodeBase64Url('_-8')).toEqual(Buffer.from([0xff, 0xef]));
    expect(encodeBase64Url(Uint8Array.from([0xff, 0xef]))).toBe('_-8');
  });

  it.each([
    ['padding', 'AQ=='],
    ['standard alphabet +', 'ab+c'],
    ['standard alphabet /', 'ab/c'],
    ['invalid character', '!!!invalid-base64!!!'],
    ['whitespace', 'AQ ID'],
    ['length 1 mod 4', 'AQIDB'],
    ['non-canonical trailing bits', 'AR'],
  ])('ENC-01 base64url rejects %s', (_name, input) => {
    expect(() => decodeBase64Url(input)).toThrow(Base64Error);
  });

  it('ENC-01 padded standard base64 requires canonical padding', () => {
    expect(decodeBase64Padded('AQ==')).toEqual(Buffer.from([1]));
    expect(decodeBase64Padded('+/8=')).toEqual(Buffer.from([0xfb, 0xff]));
    expect(encodeBase64Padded(Uint8Array.from([1]))).toBe('AQ==');
    for (const bad of ['AQ', 'AQ=', 'AQ===', 'AR==', '-_8=', 'A=Q=', 'AQ==AQ==']) {
      expect(() => decodeBase64Padded(bad), bad).toThrow(Base64Error);
    }
  });
});

describe('ENC-02 constant-time comparison', () => {
  it('ENC-02 compares bytes and treats a length mismatch as unequal without throwing', () => {
    expect(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 2]))).toBe(true);
    expect(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 3]))).toBe(false);
    expect(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 2, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe('JWS-04 strict JSON and serde claim typing', () => {
  it('JWS-04 parses all JSON value kinds and keeps number text', () => {
    const value = parseJson(
      ' {"a":[1,-2.5e3,true,false,null,"x\\u00e9\\ud83d\\ude00\\n\\"\\\\\\/\\b\\f\\r\\t"],"b":{}} ',
    );
    const root = asObject(value);
    const list = root.fields.get('a') as unknown[];
    expect((list[0] as JsonNumber).raw).toBe('1');
    expect((list[1] as JsonNumber).raw).toBe('-2.5e3');
    expect(list.slice(2, 5)).toEqual([true, false, null]);
    expect(list[5]).toBe('xé😀\n"\\/\b\f\r\t');
    expect(root.fields.get('b')).toBeInstanceOf(JsonObject);
    expect(parseJson('[]')).toEqual([]);
  });

  it.each([
    ['trailing comma', '{"a":1,}'],
    ['trailing data', '{} x'],
    ['leading zero', '01'],
    ['bare word', 'nul'],
    ['single quotes', "{'a':1}"],
    ['control character', '"a\u0001"'],
    ['bad escape', '"\\x"'],
    ['lone leading surrogate', '"\\ud800"'],
    ['lone trailing surrogate', '"\\udc00"'],
    ['broken pair', '"\\ud800\\u0041"'],
    ['short unicode escape', '"\\u12"'],
    ['unterminated string', '"abc'],
    ['missing colon', '{"a" 1}'],
    ['non-string key', '{1:2}'],
    ['unclosed array', '[1 2]'],
    ['empty', ''],
  ])('JWS-04 rejects %s', (_name, text) => {
    expect(() => parseJson(text)).toThrow(JsonError);
  });

  it('JWS-04 refuses nesting deeper than 128 levels instead of overflowing the stack', () => {
    expect(() => parseJson(`${'['.repeat(129)}${']'.repeat(129)}`)).toThrow(JsonError);
    expect(() => parseJson(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`)).toThrow(JsonError);
    expect(parseJson(`${'['.repeat(128)}${']'.repeat(128)}`)).toBeDefined();
  });

  it('JWS-04 rejects invalid UTF-8 and a BOM', () => {
    expect(() => parseJsonBytes(Uint8Array.from([0x22, 0xff, 0x22]))).toThrow(JsonError);
    expect(() => parseJsonBytes(Buffer.from('\ufeff{}', 'utf8'))).toThrow(JsonError);
    expect(parseJsonBytes(Buffer.from('"é"', 'utf8'))).toBe('é');
  });

  it('JWS-04 defaulted strings: absent is empty, null or non-string is an error', () => {
    expect(stringOrEmpty(obj('{}'), 'sub')).toBe('');
    expect(stringOrEmpty(obj('{"sub":"x"}'), 'sub')).toBe('x');
    expect(() => stringOrEmpty(obj('{"sub":null}'), 'sub')).toThrow(ClaimTypeError);
    expect(() => stringOrEmpty(obj('{"sub":1}'), 'sub')).toThrow(ClaimTypeError);
    expect(optionalString(obj('{"iss":null}'), 'iss')).toBeUndefined();
    expect(() => optionalString(obj('{"iss":[]}'), 'iss')).toThrow(ClaimTypeError);
  });

  it('JWS-04 a duplicated modelled field is an error, other duplicates are ignored', () => {
    const payload = obj('{"sub":"a","sub":"b","x":1,"x":2}');
    expect(() => stringOrEmpty(payload, 'sub')).toThrow(ClaimTypeError);
    expect(stringOrEmpty(payload, 'other')).toBe('');
  });

  it('JWS-04 u64 fields accept plain integers only', () => {
    expect(optionalU64(obj('{"exp":0}'), 'exp')).toBe(0n);
    expect(optionalU64(obj('{"exp":18446744073709551615}'), 'exp')).toBe(18446744073709551615n);
    expect(optionalU64(obj('{"exp":null}'), 'exp')).toBeUndefined();
    expect(optionalU64(obj('{}'), 'exp')).toBeUndefined();
    for (const bad of ['1.0', '1e9', '-1', '"1"', '18446744073709551616', 'true']) {
      expect(() => optionalU64(obj(`{"exp":${bad}}`), 'exp'), bad).toThrow(ClaimTypeError);
    }
  });

  it('JWS-04 prf and aud typing', () => {
    expect(stringArrayOrEmpty(obj('{}'), 'prf')).toEqual([]);
    expect(stringArrayOrEmpty(obj('{"prf":["a"]}'), 'prf')).toEqual(['a']);
    expect(() => stringArrayOrEmpty(obj('{"prf":null}'), 'prf')).toThrow(ClaimTypeError);
    expect(() => stringArrayOrEmpty(obj('{"prf":[1]}'), 'prf')).toThrow(ClaimTypeError);
    expect(() => stringArrayOrEmpty(obj('{"prf":"a"}'), 'prf')).toThrow(ClaimTypeError);
    expect(optionalAudience(obj('{"aud":"a"}'), 'aud')).toBe('a');
    expect(optionalAudience(obj('{"aud":[]}'), 'aud')).toEqual([]);
    expect(optionalAudience(obj('{"aud":null}'), 'aud')).toBeUndefined();
    expect(() => optionalAudience(obj('{"aud":[1]}'), 'aud')).toThrow(ClaimTypeError);
    expect(() => optionalAudience(obj('{"aud":{}}'), 'aud')).toThrow(ClaimTypeError);
    expect(() => asObject(parseJson('[]'))).toThrow(ClaimTypeError);
    expect(firstAudience(['x', 'y'])).toBe('x');
    expect(firstAudience([])).toBeUndefined();
  });
});

describe('JWS-04 long escape runs and many strings', () => {
  it('JWS-04 a 64 KiB string of escapes and a document of many short strings parse correctly', () => {
    const escapes = `"${'\\n'.repeat(32 * 1024)}"`;
    expect(parseJson(escapes)).toBe('\n'.repeat(32 * 1024));
    const many = `[${Array.from({ length: 10_000 }, (_, i) => `"s${i}"`).join(',')},"\\t"]`;
    const parsed = parseJson(many) as string[];
    expect(parsed).toHaveLength(10_001);
    expect(parsed.at(-1)).toBe('\t');
  });
});
