import type { ReactNode } from 'react';
import { Client, Provider, makeResult, makeErrorResult, type Exchange, type Operation, type OperationResult } from 'urql';
import { filter, fromValue, makeSubject, mergeMap, never, pipe, type Source, type Subject } from 'wonka';
import { render } from '@testing-library/react';
import { GraphQLError } from 'graphql';

/** How the fake transport answers one operation. */
export type Answer =
  | { data: unknown }
  | { errors: Array<{ message: string; code?: string; extensions?: Record<string, unknown> }> }
  | { networkError: string }
  | 'pending'
  | Source<OperationResult>;

export interface FakeServer {
  client: Client;
  /** Every operation the UI sent, in order. */
  operations: Operation[];
  /** Pushes a subscription event to every active subscription with this operation name. */
  push: (operationName: string, data: unknown) => void;
}

function operationName(operation: Operation): string | undefined {
  for (const definition of operation.query.definitions) {
    if (definition.kind === 'OperationDefinition') return definition.name?.value;
  }
  return undefined;
}

/**
 * A urql client whose transport is faked: `answer` decides what each operation gets back.
 * Subscriptions stay open and receive what the test `push`es.
 */
export function fakeServer(answer: (name: string, variables: Record<string, unknown>, op: Operation) => Answer | undefined): FakeServer {
  const operations: Operation[] = [];
  const subjects = new Map<string, Array<{ op: Operation; subject: Subject<OperationResult> }>>();

  const exchange: Exchange = () => (ops$) =>
    pipe(
      ops$,
      filter((op) => op.kind !== 'teardown'),
      mergeMap((op): Source<OperationResult> => {
        operations.push(op);
        const name = operationName(op) ?? '';
        if (op.kind === 'subscription') {
          const subject = makeSubject<OperationResult>();
          const list = subjects.get(name) ?? [];
          list.push({ op, subject });
          subjects.set(name, list);
          return subject.source;
        }
        const reply = answer(name, (op.variables ?? {}) as Record<string, unknown>, op);
        if (reply === undefined || reply === 'pending') return never;
        if (typeof reply === 'function') return reply;
        if ('networkError' in reply) return fromValue(makeErrorResult(op, new Error(reply.networkError)));
        if ('errors' in reply) {
          return fromValue(
            makeResult(op, {
              data: null,
              errors: reply.errors.map((e) => new GraphQLError(e.message, { extensions: { ...e.extensions, code: e.code } })),
            }),
          );
        }
        return fromValue(makeResult(op, { data: reply.data as Record<string, unknown> }));
      }),
    );

  const client = new Client({ url: 'http://test.invalid/graphql', exchanges: [exchange] });
  return {
    client,
    operations,
    push(name, data) {
      for (const { op, subject } of subjects.get(name) ?? []) subject.next(makeResult(op, { data: data as Record<string, unknown> }));
    },
  };
}

export function renderWithClient(ui: ReactNode, server: FakeServer) {
  return render(<Provider value={server.client}>{ui}</Provider>);
}
