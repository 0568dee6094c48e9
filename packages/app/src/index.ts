/** Public surface of @less-sync/app. */
export {};
