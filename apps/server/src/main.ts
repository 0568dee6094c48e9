#!/usr/bin/env node
/**
 * less-sync server entry point: configuration from the environment, the server on LISTEN_ADDR, graceful
 * shutdown on SIGTERM/SIGINT. Everything else lives in @less-sync/app.
 */
import { runServer } from '@less-sync/app';

await runServer({
  env: process.env,
  on: (signal, listener) => process.on(signal, listener),
  writeStderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
});
