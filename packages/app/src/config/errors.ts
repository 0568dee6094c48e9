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
