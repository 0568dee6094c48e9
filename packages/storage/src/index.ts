/** Public surface of @less-sync/storage. */
export {};
