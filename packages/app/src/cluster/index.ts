export { PostgresFederationQuota, type PostgresFederationQuotaOptions } from './federation-quota.js';
export { type Cluster, channelFor, openCluster } from './open.js';
export { ClusterState, type ClusterTimings, DEFAULT_CLUSTER_TIMINGS } from './state.js';
