import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';

/**
 * The contract's two custom scalars, from graphql-scalars so their parsing and serialization
 * follow the published specifications (DateTime: RFC 3339 / ISO-8601; JSONObject: an object).
 */
export const DateTime = DateTimeResolver;
export const JSONObject = JSONObjectResolver;
