/** Public surface of @less-sync/auth. */
export {};
