export { tracedRequestListener, tracePgPool } from './instrument.js';
export { NOOP_TRACING, type SpanHandle, type SpanOptions, startTracing, type Tracing } from './tracing.js';
