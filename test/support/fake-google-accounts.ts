/** The Google account address of a fake principal: Ada for `default` (the fake userinfo's), `<principal>@example.com` otherwise. */
export function googleEmailOf(principal: string): string {
  return principal === 'default' ? 'ada@example.com' : `${principal}@example.com`;
}
