import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  knownVariableNames,
  renderVariablesTable,
  SECRET_VARIABLES,
} from '../../src/index.js';

const README = fileURLToPath(new URL('../../../../README.md', import.meta.url));

/** The configuration table: the first table after the `### Configuration` heading. */
function tableSpan(text: string): { start: number; end: number } {
  const heading = text.indexOf('### Configuration');
  const start = text.indexOf('\n|', heading) + 1;
  let end = start;
  while (end < text.length && text[end] === '|') end = text.indexOf('\n', end) + 1 || text.length;
  return { start, end };
}

/** Rows as trimmed cells, so column padding never matters. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((row) =>
      row
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

describe('CONFIG-13 the configuration reference', () => {
  it('CONFIG-13 the README table is generated from the variables list', () => {
    const text = readFileSync(README, 'utf8');
    const { start, end } = tableSpan(text);
    const expected = `${renderVariablesTable()}\n`;
    if (process.env.UPDATE_CONFIG_TABLE === '1') {
      writeFileSync(README, text.slice(0, start) + expected + text.slice(end));
      return;
    }
    expect(cells(text.slice(start, end))).toEqual(cells(expected));
  });

  it('CONFIG-13 every name is listed once; the _FILE row names every secret', () => {
    const names = CONFIG_VARIABLES.flatMap((v) => v.names);
    expect(new Set(names).size).toBe(names.length);
    const fileRow = CONFIG_VARIABLES.find((v) => v.label === '`<SECRET>_FILE`');
    for (const secret of SECRET_VARIABLES) {
      expect(fileRow?.meaning).toContain(`\`${secret}\``);
      expect(knownVariableNames().has(`${secret}_FILE`)).toBe(true);
    }
    expect(SECRET_VARIABLES).toContain('DATABASE_URL');
  });
});
