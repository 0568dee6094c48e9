import { describe, expect, it } from 'vitest';
import {
  canonicalSpaceId,
  DNS_NAMESPACE,
  LESS_NAMESPACE,
  parseUuid,
  personalSpaceId,
  sameSpaceId,
  uuidV5,
  uuidVersion,
} from '../src/index.js';

describe('SPACEID-01 Less namespace', () => {
  it('SPACEID-01 equals UUIDv5(DNS, "less.so") and is version 5 (less_namespace_matches_expected_value)', () => {
    expect(LESS_NAMESPACE).toBe('d645a70c-a29d-5167-9f86-6205c732f3ba');
    expect(uuidV5(DNS_NAMESPACE, new TextEncoder().encode('less.so'))).toBe(LESS_NAMESPACE);
    expect(uuidVersion(LESS_NAMESPACE)).toBe(5);
  });
});

describe('SPACEID-02 personal space id', () => {
  it('SPACEID-02 known vector matches the Go and TypeScript implementations', () => {
    expect(
      personalSpaceId('https://accounts.less.so', 'user-1', '11111111-1111-1111-1111-111111111111'),
    ).toBe('cf78fa75-e714-5073-8972-126a66255b39');
  });

  it('SPACEID-02 is deterministic and version 5 (personal_is_deterministic)', () => {
    const a = personalSpaceId('https://accounts.example.com', 'user-123', 'client-abc');
    expect(personalSpaceId('https://accounts.example.com', 'user-123', 'client-abc')).toBe(a);
    expect(a).toBe('25243090-ff38-5731-8606-819c4ab5a412');
    expect(uuidVersion(a)).toBe(5);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('SPACEID-02 changes when any input changes (personal_changes_when_inputs_change)', () => {
    expect(personalSpaceId('https://other.example.com', 'user-123', 'client-abc')).toBe(
      '39b9f70a-120f-5fa3-8fae-df9d98bba9a9',
    );
    expect(personalSpaceId('https://accounts.example.com', 'user-456', 'client-abc')).toBe(
      '5f9d4846-0a70-5878-bc18-9465cdf74581',
    );
    expect(personalSpaceId('https://accounts.example.com', 'user-123', 'client-def')).toBe(
      '6470c370-be6a-5fc9-becf-38a73799bd19',
    );
  });

  it('SPACEID-02 the NUL separator prevents boundary shifting (personal_uses_null_separator)', () => {
    const a = personalSpaceId('issuerA', 'user', 'client');
    const b = personalSpaceId('issuer', 'Auser', 'client');
    expect(a).toBe('fd2f582c-99c2-56e3-b395-abdae6a0a47e');
    expect(b).toBe('40d83b5a-804b-5213-9a7c-a942c79a28ba');
    expect(a).not.toBe(b);
    expect(personalSpaceId('', '', '')).toBe('40c5837d-f2ec-57eb-bb60-eb439d4e51c3');
  });

  it('SPACEID-02 non-ASCII inputs are hashed as UTF-8 without normalisation', () => {
    expect(personalSpaceId('é', 'u', 'c')).not.toBe(personalSpaceId('e\u0301', 'u', 'c'));
  });
});

describe('R5 canonical space ids', () => {
  const canonical = 'd205899b-b9fb-4d6e-8159-8578661a574c';

  it('R5 every accepted spelling maps to the lower-case hyphenated form', () => {
    for (const spelling of [
      canonical,
      canonical.toUpperCase(),
      canonical.replaceAll('-', ''),
      canonical.replaceAll('-', '').toUpperCase(),
      `{${canonical}}`,
      `urn:uuid:${canonical}`,
      `URN:UUID:${canonical.toUpperCase()}`,
    ]) {
      expect(canonicalSpaceId(spelling)).toBe(canonical);
    }
  });

  it('R5 non-UUIDs have no canonical form', () => {
    for (const bad of [
      '',
      'space-1',
      `${canonical} `,
      `{${canonical}`,
      `${canonical}x`,
      'g'.repeat(32),
      `urn:${canonical}`,
      // Canonical length and dashes, but not hex / dashes out of place.
      canonical.replace('d', 'g'),
      `${canonical.slice(0, 8)}x${canonical.slice(9)}`,
      `-${canonical.slice(0, 8)}${canonical.slice(9)}`,
    ]) {
      expect(canonicalSpaceId(bad)).toBeUndefined();
    }
    expect(parseUuid('nope')).toBeUndefined();
    expect(uuidVersion('nope')).toBeUndefined();
  });

  it('R5 two spellings of one UUID are one space', () => {
    expect(sameSpaceId(canonical.toUpperCase(), canonical.replaceAll('-', ''))).toBe(true);
    expect(sameSpaceId(canonical, '00000000-0000-0000-0000-000000000000')).toBe(false);
    expect(sameSpaceId('x', 'x')).toBe(false);
  });

  it('SPACEID-01 a bad namespace is a programming error', () => {
    expect(() => uuidV5('nope', new Uint8Array(0))).toThrow(TypeError);
  });
});
