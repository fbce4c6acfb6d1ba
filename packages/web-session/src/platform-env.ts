/**
 * Next.js runs a production build only with NODE_ENV=production, whatever the platform's mode; the server
 * keeps the operator's NODE_ENV in PLATFORM_NODE_ENV before switching, and the console's configuration reads
 * that one (whether development secrets are refused).
 */
export const PLATFORM_NODE_ENV = 'PLATFORM_NODE_ENV';
