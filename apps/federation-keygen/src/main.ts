#!/usr/bin/env node
// Federation (and with it signing-key generation, CLI-KEYGEN-*) is not in this version of less-sync. Say so
// plainly and fail, rather than exit 0 having done nothing; no key is ever created implicitly (R25).
process.stderr.write(
  'Error: federation-keygen is not available in this version of less-sync (federation is not implemented yet)\n',
);
process.exitCode = 1;
