import type { TestProject } from 'vitest/node';
import { type RunningServer, startServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
  }
}

let server: RunningServer | undefined;

/** One zero-config server process for every example test file; stopped when the run ends. */
export async function setup(project: TestProject): Promise<void> {
  server = await startServer();
  project.provide('serverUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
