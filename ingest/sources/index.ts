// The sources stage's public surface (docs/sources.md): connectors that list a platform's
// articles, the sync that applies a listing to a KB, the scheduler and the service.
export type { SourceConnector, SourceDocument, SourceEntry, ListingEnd, SyncCursor, ConnectorDependencies } from './connector.ts';
export { createCredentialBox } from './credential-box.ts';
export type { CredentialBox } from './credential-box.ts';
export { parseSchedule, nextRunAfter, minimumIntervalMs } from './schedule.ts';
export type { SyncSchedule } from './schedule.ts';
export { createConnector, parseSourceConfig, sourceTypeNames, isSourceType } from './source-types.ts';
export { syncSource } from './sync-source.ts';
export type { SyncDependencies, SyncResult, SyncedItem } from './sync-source.ts';
export { runSyncJob, recordAbandonedSync } from './sync-job.ts';
export { startSyncScheduler, defaultSyncSchedulerSettings } from './sync-scheduler.ts';
export type { SyncScheduler, SyncSchedulerSettings } from './sync-scheduler.ts';
export { createSourcesService, sourceView } from './sources-service.ts';
export type { SourcesServiceDependencies } from './sources-service.ts';
export { rekeySources } from './rekey.ts';
