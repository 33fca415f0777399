/** RFC 4648 §5 base64url without padding: the encoding of PKCE values, states and sealed tokens. */
export const base64URLEncode = (data: Uint8Array): string => Buffer.from(data).toString('base64url');

export const base64URLDecode = (value: string): Buffer => Buffer.from(value, 'base64url');
