#!/usr/bin/env node
/**
 * less-sync server entry point: configuration from the environment, the server on LISTEN_ADDR, graceful
 * shutdown on SIGTERM/SIGINT. Everything else lives in @less-sync/app.
 */
import { runServer } from '@less-sync/app';
import { parseServerArgs } from './cli.js';

const outcome = parseServerArgs(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});

if (outcome.run) {
  await runServer({
    env: process.env,
    on: (signal, listener) => process.on(signal, listener),
    writeStderr: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
  });
} else {
  process.exitCode = outcome.code;
}
