export { createChangeResolver, MAX_CATCH_UP_ENTRIES } from './change-resolver.js';
