// The account API's answers (oauth-service, /api/account; its OpenAPI document is /api/account/openapi.json).

export interface Profile {
  id: string;
  username: string;
  name: string | null;
  email: string | null;
  emailVerified: boolean;
  createdAt: string;
}

export interface SignInSession {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The session this console is signed in with. */
  current: boolean;
  applications: Array<{ clientId: string; clientName: string }>;
}

export interface ConnectedApplication {
  clientId: string;
  clientName: string;
  scopes: string[];
  grantedAt: string | null;
  firstParty: boolean;
}

export interface SecurityEvent {
  at: string;
  action: string;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  clientName: string | null;
}
