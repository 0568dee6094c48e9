/** Public surface of @less-sync/core. */
export {};
