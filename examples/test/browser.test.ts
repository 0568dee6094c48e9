/**
 * The browser example in headless Chromium (Debian's `chromium`, driven by playwright-core): the page is
 * served from its own origin, so every call to the server is cross-origin. Two tabs of one user edit
 * the list and see each other's changes live; a file round-trips with its wrapped key header.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from './server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SERVE = fileURLToPath(new URL('../browser/serve.mjs', import.meta.url));
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Demo {
  addItem(text: string): Promise<string>;
  fileRoundTrip(
    name: string,
    bytes: Uint8Array,
  ): Promise<{ putStatus: number; getStatus: number; header: string | null; bytes: Uint8Array }>;
  items(): string[];
  protocol(): string;
}
declare global {
  interface Window {
    demo: Promise<Demo>;
  }
}

let pageServer: ChildProcess | undefined;
let pageUrl = '';
let profile = '';
let context: BrowserContext | undefined;
const pageErrors: string[] = [];

async function startPageServer(lessSyncUrl: string): Promise<void> {
  const port = await freePort();
  pageServer = spawn(process.execPath, [SERVE, '--port', String(port), '--server', lessSyncUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pageUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('page server did not start')), 30_000);
    let out = '';
    pageServer?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /browser example at (\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    pageServer?.once('exit', (code) => reject(new Error(`page server exited (${code})`)));
  });
}

async function openTab(): Promise<Page> {
  if (!context) throw new Error('no browser');
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(pageUrl);
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent?.startsWith('connected'),
    null,
    {
      timeout: 60_000,
    },
  );
  return page;
}

const listOf = (page: Page) => page.$$eval('#items li', (lis) => lis.map((li) => li.textContent ?? ''));
const waitForItem = (page: Page, text: string) =>
  page.waitForFunction(
    (t) => [...document.querySelectorAll('#items li')].some((li) => li.textContent === t),
    text,
    { timeout: 30_000 },
  );

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  await startPageServer(inject('serverUrl'));
  profile = await mkdtemp(join(tmpdir(), 'less-sync-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    timeout: 120_000,
  });
});

afterAll(async () => {
  await context?.close();
  if (pageServer && pageServer.exitCode === null) {
    const exited = new Promise((resolve) => pageServer?.once('exit', resolve));
    pageServer.kill('SIGTERM');
    await exited;
  }
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('examples/browser in headless Chromium', () => {
  it('HTTP-03 WSPROTO-01 RPC-PUSH-3 FILES-11: two tabs of one user see each other live; a file round-trips with X-Wrapped-DEK', async () => {
    expect(new URL(pageUrl).origin).not.toBe(new URL(inject('serverUrl')).origin);
    const tabA = await openTab();
    const tabB = await openTab();
    expect(await tabA.evaluate(async () => (await window.demo).protocol())).toBe('less-rpc-v1');

    await tabA.evaluate(async () => (await window.demo).addItem('milk'));
    await waitForItem(tabB, 'milk');
    await tabB.evaluate(async () => (await window.demo).addItem('eggs'));
    await waitForItem(tabA, 'eggs');

    // Through the form, as a person would.
    await tabB.fill('#text', 'bread');
    await tabB.click('#add button');
    await waitForItem(tabA, 'bread');

    const file = await tabA.evaluate(async () => {
      const sent = new TextEncoder().encode('a browser-made file');
      const result = await (await window.demo).fileRoundTrip('note.txt', sent);
      return { ...result, text: new TextDecoder().decode(result.bytes), bytes: undefined };
    });
    expect(file.putStatus).toBe(201);
    expect(file.getStatus).toBe(200);
    expect(file.text).toBe('a browser-made file');
    // The header is readable cross-origin (exposed by CORS): 44 bytes of standard base64.
    expect(file.header).toMatch(/^[A-Za-z0-9+/]{58}==?$|^[A-Za-z0-9+/]{59}=$/);
    await waitForItem(tabB, 'file: note.txt');

    // A tab opened later catches up by pull, in the same order.
    const tabC = await openTab();
    expect(await listOf(tabC)).toEqual(expect.arrayContaining(['milk', 'eggs', 'bread', 'file: note.txt']));
    expect(pageErrors).toEqual([]);
  });
});
