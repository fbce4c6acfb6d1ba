// The sign-in flow's addresses at this service, for a provider. The callback is what an operator registers
// at the upstream as the redirect URI; both are below PUBLIC_URL, never derived from a request's Host.

export const upstreamStartPath = (providerId: string) => `/login/upstream/${encodeURIComponent(providerId)}`;
export const upstreamCallbackPath = (providerId: string) => `${upstreamStartPath(providerId)}/callback`;
export const upstreamLinkPath = (providerId: string) => `${upstreamStartPath(providerId)}/link`;
