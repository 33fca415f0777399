import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, newOrganizationId, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { startPacketDropProxy, type PacketDropProxy } from '../support/packet-drop-proxy.js';
import { startServerMain, type ServerProcess } from '../support/server-process.js';
import { countEvents, insertIntegration, SLACK_SIGNING_SECRET, slackEvent, slackHeaders } from '../webhooks/support/webhook-fixtures.js';

/** The ingest's default budget: a delivery is answered 503 by then at the latest. */
const INGEST_TIMEOUT_MS = 5000;
/** The requirement: ready and storing again within this long of the network returning. */
const RECOVERY_BUDGET_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  eventId: string;
  status: number;
  ms: number;
}

/**
 * The service's PostgreSQL behind a proxy that loses the network silently (no reset, no FIN),
 * with every timeout at its default: the real `src/main.ts`, its pool, readiness and webhook
 * ingest, and SIGTERM. A reset connection is the easy case (test/webhooks/ingest-http.test.ts).
 */
describe('a silent network loss to PostgreSQL', () => {
  let testDb: TestDatabase;
  let proxy: PacketDropProxy;
  let server: ServerProcess;
  let url: string;
  const team = `T${randomBytes(4).toString('hex')}`;
  const answers: Answer[] = [];

  const deliver = async (eventId: string): Promise<Answer> => {
    const body = slackEvent(team, 'message', eventId);
    const started = performance.now();
    const status = await fetch(`${url}/webhooks/slack`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackHeaders(body) }, body }).then(
      (response) => response.status,
      () => 0,
    );
    const answer = { eventId, status, ms: performance.now() - started };
    answers.push(answer);
    return answer;
  };
  const readiness = () => fetch(`${url}/readyz`).then((response) => response.status, () => 0);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    await insertIntegration(testDb.database, newOrganizationId(), 'slack', team);
    const target = new URL(testDb.url);
    proxy = await startPacketDropProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(testDb.url);
    proxied.port = String(proxy.port);
    ({ server, url } = await startServerMain({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: proxied.toString(),
      AUTH_JWT_SECRET: 'packet-loss-secret-packet-loss-secret-0123',
      INTEGRATION_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      SLACK_SIGNING_SECRET,
      LOG_LEVEL: 'info',
    }));
  }, 60_000);
  afterAll(async () => {
    await server?.kill();
    await proxy?.close();
    await testDb?.close();
  });

  it('answers 503 quickly while it lasts, is ready and storing within 10 s of the network returning, and never stores what it answered 503 for', async () => {
    expect((await deliver('EvBEFORE')).status).toBe(200);
    expect(await readiness()).toBe(200);

    proxy.cut();
    const cutAt = performance.now();
    const during: Promise<Answer>[] = [];
    let readyDuringCut = 0;
    for (let n = 0; performance.now() - cutAt < 8000; n++) {
      during.push(deliver(`EvDURING${n}`));
      if (n % 10 === 5) readyDuringCut = Math.max(readyDuringCut, await readiness());
      await sleep(200);
    }
    proxy.restore();
    const restoredAt = performance.now();

    let readyAfterMs: number | undefined;
    let storingAfterMs: number | undefined;
    const after: Promise<Answer>[] = [];
    for (let n = 0; (readyAfterMs === undefined || storingAfterMs === undefined) && performance.now() - restoredAt < 30_000; n++) {
      if (readyAfterMs === undefined && (await readiness()) === 200) readyAfterMs = performance.now() - restoredAt;
      const answer = deliver(`EvAFTER${n}`);
      after.push(answer);
      void answer.then((settled) => {
        if (settled.status === 200 && storingAfterMs === undefined) storingAfterMs = performance.now() - restoredAt;
      });
      await sleep(100);
    }
    const duringAnswers = await Promise.all(during);
    await Promise.all(after);
    process.stdout.write(`packet-drop recovery (network restored →): /readyz 200 after ${readyAfterMs?.toFixed(0)} ms, webhook 2xx after ${storingAfterMs?.toFixed(0)} ms\n`);

    expect(readyDuringCut).toBe(503);
    expect(duringAnswers.filter((answer) => answer.status !== 503)).toEqual([]);
    expect(Math.max(...duringAnswers.map((answer) => answer.ms))).toBeLessThan(INGEST_TIMEOUT_MS + 1500);
    expect(readyAfterMs).toBeLessThan(RECOVERY_BUDGET_MS);
    expect(storingAfterMs).toBeLessThan(RECOVERY_BUDGET_MS);

    // Long enough for a store that was only given up waiting for, not abandoned, to land.
    await sleep(3000);
    const wrong: (Answer & { stored: number })[] = [];
    for (const answer of answers) {
      const stored = await countEvents(testDb.database, 'delivery_id like ?', [`%:${answer.eventId}`]);
      if (stored !== (answer.status === 200 ? 1 : 0)) wrong.push({ ...answer, stored });
    }
    expect(wrong).toEqual([]);
    expect(answers.filter((answer) => answer.status === 503).length).toBeGreaterThanOrEqual(during.length);
  }, 90_000);

  it('stops on SIGTERM during the loss well within the 25 s limit, exiting 0', async () => {
    expect((await deliver('EvBEFORESTOP')).status).toBe(200);
    proxy.cut();
    const inFlight = [deliver('EvSTOP1'), readiness()];
    await sleep(1000);
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    const code = await server.exited;
    const stoppedInMs = performance.now() - signalledAt;
    await Promise.all(inFlight);
    process.stdout.write(`SIGTERM during the loss: exited ${code} after ${stoppedInMs.toFixed(0)} ms\n`);
    expect(code).toBe(0);
    expect(stoppedInMs).toBeLessThan(15_000);
  }, 60_000);
});
