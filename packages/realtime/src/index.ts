/** Public surface of @less-sync/realtime. */
export {};
