/** Public surface of @less-sync/api. */
export {};
