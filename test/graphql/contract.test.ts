import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildASTSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  print,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
} from 'graphql';

/**
 * The public contract (/work/shared/contract, copied into the project as
 * test/graphql/contract/subgraph.graphql) against the committed subgraph SDL: every type, field,
 * argument, enum value and key of the contract exists with the same type and nullability.
 */
const CONTRACT_URL = new URL('./contract/subgraph.graphql', import.meta.url);
const SUBGRAPH_URL = new URL('../../schema/subgraph.graphql', import.meta.url);

/** Federation directive definitions the contract uses without defining; enough to build it. */
const FEDERATION_STUBS = 'directive @link(url: String, import: [String]) repeatable on SCHEMA\ndirective @key(fields: String!) repeatable on OBJECT\ndirective @shareable on OBJECT | FIELD_DEFINITION';

let contractAst: DocumentNode;
let contract: GraphQLSchema;
let subgraphAst: DocumentNode;
let subgraph: GraphQLSchema;

const schemaFrom = (sdl: string): GraphQLSchema => buildASTSchema(parse(`${FEDERATION_STUBS}\n${sdl.replace(/^directive @.*$/gm, '')}`), { assumeValidSDL: true });

const keysOf = (ast: DocumentNode, typeName: string): string[] =>
  ast.definitions
    .filter((d): d is ObjectTypeDefinitionNode => (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === typeName)
    .flatMap((d) => d.directives ?? [])
    .filter((d) => d.name.value === 'key')
    .map((d) => print(d));

beforeAll(async () => {
  const contractSdl = await readFile(CONTRACT_URL, 'utf8');
  const subgraphSdl = await readFile(SUBGRAPH_URL, 'utf8');
  contractAst = parse(contractSdl);
  subgraphAst = parse(subgraphSdl);
  contract = schemaFrom(contractSdl);
  subgraph = schemaFrom(subgraphSdl);
});

const contractTypeNames = () =>
  Object.keys(contract.getTypeMap()).filter((name) => !name.startsWith('__') && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(name));

describe('the subgraph SDL honours the contract', () => {
  it('links federation 2 with @key', () => {
    const link = subgraphAst.definitions.flatMap((d) => (d.kind === Kind.SCHEMA_EXTENSION || d.kind === Kind.SCHEMA_DEFINITION ? (d.directives ?? []) : []));
    expect(link.map((d) => print(d)).join()).toMatch(/specs\.apollo\.dev\/federation\/v2\.\d+/);
  });

  it('has every type of the contract, of the same kind', () => {
    for (const name of contractTypeNames()) {
      const theirs = contract.getType(name)!;
      const ours = subgraph.getType(name);
      expect({ name, kind: ours?.constructor.name }).toEqual({ name, kind: theirs.constructor.name });
    }
  });

  it('has every enum value', () => {
    for (const name of contractTypeNames()) {
      const theirs = contract.getType(name);
      if (!isEnumType(theirs)) continue;
      const ours = subgraph.getType(name);
      if (!isEnumType(ours)) throw new Error(`${name} is not an enum`);
      expect({ name, values: ours.getValues().map((v) => v.name).sort() }).toEqual({ name, values: theirs.getValues().map((v) => v.name).sort() });
    }
  });

  it('has every field and argument with the same type, nullability and default', () => {
    const problems: string[] = [];
    for (const name of contractTypeNames()) {
      const theirs = contract.getType(name);
      const ours = subgraph.getType(name);
      if (isObjectType(theirs) && isObjectType(ours)) {
        for (const field of Object.values(theirs.getFields()) as GraphQLField<unknown, unknown>[]) {
          const coordinate = `${name}.${field.name}`;
          const mine = ours.getFields()[field.name];
          if (!mine) {
            problems.push(`${coordinate} is missing`);
            continue;
          }
          if (String(mine.type) !== String(field.type)) problems.push(`${coordinate}: ${String(mine.type)} instead of ${String(field.type)}`);
          for (const arg of field.args) {
            const myArg = mine.args.find((a) => a.name === arg.name);
            if (!myArg) problems.push(`${coordinate}(${arg.name}) is missing`);
            else if (String(myArg.type) !== String(arg.type) || myArg.defaultValue !== arg.defaultValue) {
              problems.push(`${coordinate}(${arg.name}): ${String(myArg.type)} = ${String(myArg.defaultValue)} instead of ${String(arg.type)} = ${String(arg.defaultValue)}`);
            }
          }
          // An added argument must be optional, or existing callers break.
          for (const extra of mine.args.filter((a) => !field.args.some((b) => b.name === a.name))) {
            if (String(extra.type).endsWith('!') && extra.defaultValue === undefined) problems.push(`${coordinate}(${extra.name}) is an added required argument`);
          }
        }
      } else if (isInputObjectType(theirs) && isInputObjectType(ours)) {
        for (const field of Object.values(theirs.getFields())) {
          const mine = ours.getFields()[field.name];
          if (!mine || String(mine.type) !== String(field.type)) problems.push(`${name}.${field.name}: ${String(mine?.type)} instead of ${String(field.type)}`);
        }
        for (const extra of Object.values(ours.getFields()).filter((f) => !theirs.getFields()[f.name])) {
          if (String(extra.type).endsWith('!')) problems.push(`${name}.${extra.name} is an added required input field`);
        }
      } else if (!isScalarType(theirs) && !isEnumType(theirs)) {
        problems.push(`${name}: unexpected kind`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares the same entity keys', () => {
    for (const name of ['Integration', 'WebhookEvent', 'Organization']) {
      expect({ name, keys: keysOf(subgraphAst, name) }).toEqual({ name, keys: keysOf(contractAst, name) });
    }
  });
});
