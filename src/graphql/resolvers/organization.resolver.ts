import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requirePrincipal, type GraphQLContext } from '../context.js';
import { Integration, toIntegration } from '../types/integration.js';
import { Organization } from '../types/organization.js';

@Resolver(() => Organization)
export class OrganizationResolver {
  @FieldResolver(() => [Integration])
  async integrations(@Root() organization: Organization, @Ctx() context: GraphQLContext): Promise<Integration[]> {
    requirePrincipal(context);
    const rows = await context.loaders.integrationsByOrganization.load(organization.id);
    return rows.map(toIntegration);
  }
}
