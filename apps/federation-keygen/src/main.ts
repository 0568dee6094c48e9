#!/usr/bin/env node
// Federation (and with it signing-key generation, CLI-KEYGEN-*) is not in this version of less-sync. Say so
// plainly and fail, rather than exit 0 having done nothing; no key is ever created implicitly (R25).
// `--help` still answers (exit 0), so operators can ask what the command is.
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: less-sync-federation-keygen\n\n' +
      'Generates federation signing keys. Not available in this version of less-sync (federation is not\n' +
      'implemented yet): every other invocation exits 1 without touching the database.\n',
  );
} else {
  process.stderr.write(
    'Error: federation-keygen is not available in this version of less-sync (federation is not implemented yet)\n',
  );
  process.exitCode = 1;
}
