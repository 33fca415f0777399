import { readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type DirectiveDefinitionNode, type DocumentNode } from 'graphql';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The subgraph SDL (schema/subgraph.graphql, printed from the running service) uses Apollo
 * Federation directives (`@link`, `@key`, `@shareable`, ...) that it may not declare. The UI only
 * needs the types, so the schema handed to codegen keeps every type and drops directive usages the
 * file does not itself define, plus `extend schema @link(...)` extensions that carry nothing else.
 * This works both for the contract copy and for a print that includes the federation declarations.
 */
function clientSchemaSdl(path: string): string {
  const document: DocumentNode = parse(readFileSync(path, 'utf8'));
  const declared = new Set(
    document.definitions
      .filter((d): d is DirectiveDefinitionNode => d.kind === Kind.DIRECTIVE_DEFINITION)
      .map((d) => d.name.value),
  );
  const stripped = visit(document, {
    Directive(node) {
      return declared.has(node.name.value) ? undefined : null;
    },
  });
  const definitions = stripped.definitions.filter(
    (d) =>
      !(
        (d.kind === Kind.SCHEMA_EXTENSION || d.kind === Kind.SCHEMA_DEFINITION) &&
        (d.operationTypes?.length ?? 0) === 0
      ),
  );
  return print({ ...stripped, definitions });
}

const config: CodegenConfig = {
  schema: clientSchemaSdl(process.env.CODEGEN_SCHEMA ?? 'schema/subgraph.graphql'),
  documents: ['client/src/**/*.{ts,tsx}', '!client/src/gql/**/*', '!client/src/**/*.test.tsx'],
  ignoreNoDocuments: false,
  generates: {
    'client/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        defaultScalarType: 'unknown',
        scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
