/** A configuration value that stops the server from starting (CONFIG-01). */
export class ConfigError extends Error {
  readonly code = 'config_invalid' as const;
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/**
 * Every configuration error of one start, reported together so an operator fixes them in one go. With a
 * single error the message is that error's; with several, one line each, each naming its variable.
 */
export class ConfigErrors extends ConfigError {
  readonly errors: readonly ConfigError[];

  constructor(errors: readonly ConfigError[]) {
    const first = errors[0];
    if (first === undefined) throw new TypeError('ConfigErrors needs at least one error');
    super(first.variable, errors.length === 1 ? namedMessage(first) : multiLine(errors));
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}

/** The message, prefixed with the variable when the text does not already name it. */
export function namedMessage(error: ConfigError): string {
  return error.message.includes(error.variable) ? error.message : `${error.variable}: ${error.message}`;
}

function multiLine(errors: readonly ConfigError[]): string {
  return [`${errors.length} configuration errors:`, ...errors.map((e) => `  - ${namedMessage(e)}`)].join(
    '\n',
  );
}

/** Where a fatal startup error goes; the defaults are the real process. */
export interface FatalErrorSink {
  writeStderr(text: string): void;
  exit(code: number): never;
}

const processSink: FatalErrorSink = {
  writeStderr: (text) => {
    process.stderr.write(text);
  },
  exit: (code) => process.exit(code),
};

/** The one-line form of any startup failure: `Error: <message>` (BOOT-01). */
export function formatFatalError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Error: ${message}\n`;
}

/** Print `Error: <message>` to stderr and exit 1, as the reference server does on any startup failure. */
export function exitWithStartupError(error: unknown, sink: FatalErrorSink = processSink): never {
  sink.writeStderr(formatFatalError(error));
  return sink.exit(1);
}
