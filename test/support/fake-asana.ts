import { bearerToken, contentType, FakeProviderServer, type FakeResponse } from './fake-provider-server.js';

export const ASANA_ACCESS_TOKEN = '2/1200000000000001/1200000000000002:fakeasanatoken';

/** Asana's error body (https://developers.asana.com/docs/errors). */
export const asanaError = (status: number, message: string): FakeResponse => ({
  status,
  json: { errors: [{ message, help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' }] },
});

const WORKSPACES = [
  { gid: '1200000000000010', name: 'Acme Corp', resource_type: 'workspace' },
  { gid: '1200000000000020', name: 'Personal Projects', resource_type: 'workspace' },
];

/**
 * app.asana.com/api/1.0 as far as the Asana client uses it. `/workspaces` pages by `limit` and
 * `offset`, one workspace per page, and ends with `next_page: null`.
 */
export function createFakeAsana(): { server: FakeProviderServer; tasks: unknown[] } {
  const tasks: unknown[] = [];
  const server = new FakeProviderServer((status, message) => asanaError(status, message));
  const unauthorized = asanaError(401, 'Not Authorized');

  server.route('GET', '/api/1.0/workspaces', (request, check) => {
    if (bearerToken(request) !== ASANA_ACCESS_TOKEN) return unauthorized;
    check(request.query.get('limit') !== null, 'Asana only paginates when given limit');
    const offset = request.query.get('offset');
    const index = offset === null ? 0 : WORKSPACES.findIndex((w) => `offset-${w.gid}` === offset);
    check(index >= 0, `unknown offset ${String(offset)}`);
    const next = WORKSPACES[index + 1];
    return {
      json: {
        data: WORKSPACES.slice(index, index + 1),
        next_page: next
          ? { offset: `offset-${next.gid}`, path: `/workspaces?limit=1&offset=offset-${next.gid}`, uri: `https://app.asana.com/api/1.0/workspaces?limit=1&offset=offset-${next.gid}` }
          : null,
      },
    };
  });

  server.route('POST', '/api/1.0/tasks', (request, check) => {
    if (bearerToken(request) !== ASANA_ACCESS_TOKEN) return unauthorized;
    check(contentType(request) === 'application/json', 'Asana takes a JSON body');
    const { data } = request.json() as { data?: Record<string, unknown> };
    check(data !== undefined, 'the task is wrapped in { data }');
    check(typeof data?.workspace === 'string' || Array.isArray(data?.projects), 'a task needs a workspace or projects');
    check(typeof data?.name === 'string', 'a task has a name');
    tasks.push(data);
    return {
      status: 201,
      json: {
        data: {
          gid: '1200000000000100',
          resource_type: 'task',
          completed: false,
          permalink_url: 'https://app.asana.com/0/1200000000000010/1200000000000100',
          ...data,
          workspace: { gid: data?.workspace, resource_type: 'workspace' },
        },
      },
    };
  });

  return { server, tasks };
}
