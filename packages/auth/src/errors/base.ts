/** The areas of this package; every error names the one it came from. */
export type AuthErrorArea =
  | 'config'
  | 'jwt'
  | 'jwks'
  | 'didkey'
  | 'permission'
  | 'ucan'
  | 'session'
  | 'httpsig'
  | 'fst';

/**
 * Base of every error thrown by @less-sync/auth. `kind` is a closed union per area (the variant names
 * of the reference), so callers switch on it instead of parsing messages; `detail` carries the
 * variant's payload (a status code, a key id, a parser message) for logs only.
 */
export abstract class AuthPackageError<K extends string = string> extends Error {
  abstract readonly area: AuthErrorArea;
  readonly kind: K;
  readonly detail: string | undefined;

  constructor(kind: K, message: string, options?: { detail?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.detail = options?.detail;
  }
}

/** Thrown by constructors and factories when their typed configuration is unusable. */
export class AuthConfigError extends AuthPackageError<'InvalidConfig'> {
  readonly area = 'config' as const;
  override readonly name = 'AuthConfigError';

  constructor(message: string) {
    super('InvalidConfig', `invalid auth configuration: ${message}`, { detail: message });
  }
}
