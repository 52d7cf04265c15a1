import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpDependencies } from '../../src/api/index.ts';
import { sharedRateLimitBuckets, type Database } from '../../src/db/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * Rate limits that hold across API processes: two apps on one PostgreSQL database stand
 * for two replicas behind a load balancer, each with the rate limiting `oriole serve`
 * sets up (docs/limits.md). On embedded PGlite there is one process, so nothing is shared.
 */
const settings = { corsOrigins: [], requestTimeoutMs: 60_000, trustedProxies: 0, rateLimit: { perMinute: 6, burst: 4 } };

describe.each(testBackends())('rate limits across API processes on $name', (backend) => {
  let database: Database;
  let replicas: TestApp[];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await openMigrated(backend);
    replicas = [0, 1].map((index) => {
      const created = createTestApp(database, {
        worker: false,
        workerId: `replica-${index}`,
        http: createHttpDependencies(settings, () => '203.0.113.7', Date.now, sharedRateLimitBuckets(database)),
      });
      stops.push(created.stop);
      return created.app;
    });
  });
  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
    await backend.cleanup();
  });

  it.runIf(backend.name === 'postgres')('holds one bucket per client across replicas: the burst, then 429 from either', async () => {
    const statuses: number[] = [];
    for (let request = 0; request < 6; request++) statuses.push((await replicas[request % 2]!.request('/kbs')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await replicas[0]!.request('/kbs');
    expect(refused.headers.get('Retry-After')).toBe('10');
    expect(refused.headers.get('RateLimit-Limit')).toBe('4');
    expect(refused.headers.get('RateLimit-Remaining')).toBe('0');
  });

  it.runIf(backend.name === 'postgres')('never spends a token twice when replicas take from one bucket at once', async () => {
    const clients = createHttpDependencies(settings, () => '198.51.100.9', Date.now, sharedRateLimitBuckets(database));
    const racing = [0, 1].map((index) => createTestApp(database, { worker: false, workerId: `racer-${index}`, http: clients }));
    try {
      const responses = await Promise.all(Array.from({ length: 20 }, (_, request) => racing[request % 2]!.app.request('/kbs')));
      expect(responses.filter((response) => response.status === 200)).toHaveLength(4);
      expect(responses.filter((response) => response.status === 429)).toHaveLength(16);
    } finally {
      await Promise.all(racing.map(({ stop }) => stop()));
    }
  });

  it.runIf(backend.name === 'pglite')('keeps buckets in memory on embedded PGlite, which one process opens', () => {
    expect(sharedRateLimitBuckets(database)).toBeUndefined();
  });
});
