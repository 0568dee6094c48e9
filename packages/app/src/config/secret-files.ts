import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { Env } from './types.js';
import { SECRET_VARIABLES } from './variables.js';

/** Reads a secret file; tests pass their own. */
export type ReadSecretFile = (path: string) => string;

const readUtf8: ReadSecretFile = (path) => readFileSync(path, 'utf8');

export interface SecretFilesResult {
  /** `env` with each `<NAME>_FILE` resolved into `<NAME>`. */
  readonly env: Env;
  readonly errors: readonly ConfigError[];
}

/**
 * Docker and Kubernetes secrets: for every secret variable, `<NAME>_FILE` names a file whose content is
 * the value, trailing newlines removed (editors and `echo` add one). Setting both forms is an error,
 * since which one wins would be a guess; so is a file that cannot be read.
 */
export function resolveSecretFiles(env: Env, readFile: ReadSecretFile = readUtf8): SecretFilesResult {
  const resolved: Record<string, string | undefined> = { ...env };
  const errors: ConfigError[] = [];
  for (const name of SECRET_VARIABLES) {
    const fileVar = `${name}_FILE`;
    const path = env[fileVar]?.trim();
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name]?.trim() !== '') {
      errors.push(new ConfigError(fileVar, `set either ${name} or ${fileVar}, not both`));
      continue;
    }
    try {
      resolved[name] = readFile(path).replace(/(\r?\n)+$/, '');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      errors.push(new ConfigError(fileVar, `cannot read ${fileVar} ${JSON.stringify(path)}: ${reason}`));
    }
  }
  return { env: resolved, errors };
}
