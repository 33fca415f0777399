/** A fake's answer, its body parsed. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  json: Record<string, any>;
}

/** Calls a fake provider API the way the service does: a bearer token, and JSON when there is a body. */
export async function callApi(url: string, method: string, token: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, any>) : {} };
}
