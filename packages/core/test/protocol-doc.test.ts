import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedBlocks, renderProtocolDoc } from '../scripts/protocol-doc/render.mjs';
import * as core from '../src/index.js';

const DOC = fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url));

describe('docs/protocol.md (PROTO-24)', () => {
  it('PROTO-24: the committed reference matches the codecs (run `pnpm docs:protocol` when this fails)', () => {
    const committed = readFileSync(DOC, 'utf8');
    expect(renderProtocolDoc(core, committed)).toBe(committed);
  });

  it('PROTO-24: every client method, notification, chunk and struct appears in the generated tables', () => {
    const blocks = generatedBlocks(core);
    for (const name of Object.keys(core.ClientMethods)) expect(blocks.methods).toContain(`\`${name}\``);
    for (const name of Object.keys(core.ServerNotifications))
      expect(blocks.notifications).toContain(`\`${name}\``);
    for (const name of Object.keys(core.ChunkNames)) expect(blocks.notifications).toContain(`\`${name}\``);
    for (const m of Object.values(core.ClientMethods)) {
      expect(blocks.types).toContain(`### ${m.params.name}\n`);
      for (const key of m.params.keys) expect(blocks.types).toContain(`| \`${key}\` |`);
    }
    for (const code of core.RPC_ERROR_CODES) expect(blocks.constants).toContain(`\`${code}\``);
    for (const code of Object.values(core.CloseCode)) expect(blocks.constants).toContain(`| ${code} |`);
  });

  it('PROTO-24: a stale block is rewritten and an unknown block is refused', () => {
    const committed = readFileSync(DOC, 'utf8');
    const stale = committed.replace('| `push` |', '| `push-old` |');
    expect(stale).not.toBe(committed);
    expect(renderProtocolDoc(core, stale)).toBe(committed);
    expect(() =>
      renderProtocolDoc(core, `${committed}\n<!-- generated:nope -->\n<!-- /generated:nope -->\n`),
    ).toThrow(/unknown generated block nope/);
    expect(() => renderProtocolDoc(core, committed.replace(/<!-- generated:types -->[\s\S]*$/, ''))).toThrow(
      /block types is missing/,
    );
  });
});
