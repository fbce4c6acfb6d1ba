import { Code, Paper, Table, TableTbody, TableTd, TableTh, TableTr } from '@mantine/core';
import type { UpstreamProvider } from '../../../lib/admin-api/types.ts';

/** A provider's settings for a reader without admin:write; the secret only as "stored" or not. */
export function ProviderSummary({ provider }: { provider: UpstreamProvider }) {
  const rows: Array<[string, string]> = [
    ['Kind', provider.kind === 'oidc' ? 'OpenID Connect' : 'OAuth 2.0'],
    ['Issuer', provider.issuer ?? '—'],
    ['Authorization endpoint', provider.authorization_endpoint ?? '—'],
    ['Token endpoint', provider.token_endpoint ?? '—'],
    ['User info endpoint', provider.userinfo_endpoint ?? '—'],
    ['Client id', provider.client_id],
    ['Client secret', provider.has_secret ? 'stored' : 'none'],
    ['Scopes', provider.scopes.join(' ')],
    ['Claim mapping', JSON.stringify(provider.claim_mapping)],
    ['Groups → roles', JSON.stringify(provider.group_roles)],
    ['Accounts at first sign-in', provider.jit_enabled ? 'created' : 'must exist'],
    ['Roles of a created account', provider.default_roles.join(', ') || '—'],
    ['Allowed email domains', provider.allowed_email_domains.join(', ') || 'any'],
    ['Link by verified email', provider.link_by_verified_email ? 'yes' : 'no'],
    ['amr / acr that satisfy MFA', JSON.stringify(provider.mfa_satisfied_by)],
    ['State', provider.enabled ? 'enabled' : 'disabled'],
  ];
  return (
    <Paper withBorder p="md" maw={720}>
      <Table>
        <TableTbody>
          <TableTr>
            <TableTh scope="row">Redirect URI</TableTh>
            <TableTd>
              <Code>{provider.redirect_uri}</Code>
            </TableTd>
          </TableTr>
          {rows.map(([label, value]) => (
            <TableTr key={label}>
              <TableTh scope="row">{label}</TableTh>
              <TableTd>{value}</TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </Paper>
  );
}
