import { portalConfig } from '../../lib/config.ts';

/** Where the sign-in flow's addresses start at the platform's public origin (oauth-service's PUBLIC_URL). */
export const callbackBase = () => `${portalConfig().publicUrl}/login/upstream`;
