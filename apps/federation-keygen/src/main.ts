#!/usr/bin/env node
import { runCli } from './cli.js';

// A closed pipe (`federation-keygen --list | head`) must not kill a run half-way.
const quiet = (stream: NodeJS.WriteStream) => stream.on('error', () => undefined);
quiet(process.stdout);
quiet(process.stderr);

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
