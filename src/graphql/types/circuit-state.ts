import { registerEnumType } from 'type-graphql';

export enum CircuitState {
  CLOSED = 'CLOSED',
  OPEN = 'OPEN',
  HALF_OPEN = 'HALF_OPEN',
}

registerEnumType(CircuitState, { name: 'CircuitState' });
