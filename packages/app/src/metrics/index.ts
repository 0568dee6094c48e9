export { currentBuildInfo } from './build-info.js';
export {
  createFederationMetrics,
  type FederationAppMetrics,
  type OutboundPeerGaugeSource,
  registerOutboundFederationMetrics,
} from './federation.js';
export {
  type AppMetrics,
  BoundedLabel,
  type BuildInfo,
  type ConnectionKind,
  createMetrics,
  type MetricsOptions,
  type PoolStats,
  renderMetrics,
} from './metrics.js';
