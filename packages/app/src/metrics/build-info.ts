import { readFileSync } from 'node:fs';
import type { BuildInfo } from './metrics.js';

/** This package's version (the server ships them in lockstep) and the running Node.js version. */
export function currentBuildInfo(): BuildInfo {
  let version = 'unknown';
  try {
    // src/metrics and dist/metrics both sit two levels below the package manifest.
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    if (typeof manifest.version === 'string') version = manifest.version;
  } catch {
    // A relocated bundle without its manifest still reports the Node.js version.
  }
  return { version, nodeVersion: process.version };
}
