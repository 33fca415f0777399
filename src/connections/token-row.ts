/** The columns of an integration the token manager reads: tokens as stored (sealed), never opened. */
export interface TokenRow {
  id: string;
  organization_id: string;
  provider_id: string;
  provider_name: string;
  status: string;
  needs_reauthorization: boolean;
  access_token: string | null;
  refresh_token: string | null;
  token_expires_at: Date | string | null;
  connection_params: Record<string, string>;
}

export const TOKEN_COLUMNS =
  'id, organization_id, provider_id, provider_name, status, needs_reauthorization, access_token, refresh_token, token_expires_at, connection_params';
