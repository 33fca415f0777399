import { Field, Int, ObjectType } from 'type-graphql';
import type { WebhookEventPage } from '../../db/repositories/webhook-event.repository.js';
import { PageInfo } from './page-info.js';
import { toWebhookEvent } from './webhook-event.js';
import { WebhookEventEdge } from './webhook-event-edge.js';

/** A cursor page of webhook events, newest first (Relay connection shape). */
@ObjectType()
export class WebhookEventConnection {
  @Field(() => [WebhookEventEdge])
  edges!: WebhookEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

export function toWebhookEventConnection(page: WebhookEventPage): WebhookEventConnection {
  return {
    edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toWebhookEvent(edge.node) })),
    pageInfo: { ...page.pageInfo },
    totalCount: page.totalCount,
  };
}
