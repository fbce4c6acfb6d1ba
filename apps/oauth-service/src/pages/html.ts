import { createHash } from 'node:crypto';

// Server-rendered pages (sign-in, consent, errors, device flow, logout): plain HTML forms that work without
// JavaScript, one stylesheet inline and allowed by its hash, so the CSP can forbid everything else.

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f8fa;--card:#fff;--accent:#0b57d0;--on-accent:#fff;--danger:#b3261e;--border:#d0d7de}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--accent:#4c8df6;--on-accent:#0d1117;--danger:#f2b8b5;--border:#30363d}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:420px;margin:8vh auto;padding:0 16px}.card{background:var(--card);border:1px solid var(--border);border-radius:12px;padding:28px}
h1{font-size:1.4rem;margin:0 0 16px}p{margin:0 0 16px}.muted{color:var(--muted);font-size:.9rem}
label{display:block;font-weight:600;margin:12px 0 4px}input[type=text],input[type=password],input[type=email]{width:100%;padding:10px 12px;border:1px solid var(--border);border-radius:8px;background:transparent;color:inherit;font:inherit}
input:focus,button:focus{outline:3px solid color-mix(in srgb,var(--accent) 45%,transparent);outline-offset:1px}
.actions{display:flex;gap:12px;margin-top:20px}button{flex:1;padding:10px 14px;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--on-accent);font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}.error{border:1px solid var(--danger);color:var(--danger);border-radius:8px;padding:10px 12px;margin-bottom:16px}
a{color:var(--accent)}.links{margin-top:16px;text-align:center}ul.scopes{padding-left:20px}ul.scopes li{margin:6px 0}.scope-name{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}code{font-size:1.5rem;letter-spacing:.15em}
a.button{display:block;margin-top:12px;padding:10px 14px;border-radius:8px;border:1px solid var(--accent);color:var(--accent);text-align:center;text-decoration:none;font-weight:600}a.button:focus{outline:3px solid color-mix(in srgb,var(--accent) 45%,transparent);outline-offset:1px}
`;

export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** The CSP source of an inline script: only that exact script may run. */
export const scriptHash = (script: string) =>
  `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

/**
 * Content-Security-Policy for every page; `formTargets` are the origins a form may lead to (redirects
 * included), `scripts` the hashes of the few inline scripts a page may run (none unless given), `connect`
 * the origins its scripts may fetch from.
 */
export function contentSecurityPolicy(
  formTargets: string[] = [],
  scripts: string[] = [],
  connect: string[] = [],
): string {
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    ...(scripts.length ? [`script-src ${scripts.join(' ')}`] : []),
    ...(connect.length ? [`connect-src ${connect.join(' ')}`] : []),
    "img-src 'self' data:",
    `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main><div class="card">
${body}
</div></main>
</body>
</html>`;
}

export const errorBlock = (message: string | undefined) =>
  message ? `<div class="error" role="alert">${escapeHtml(message)}</div>` : '';
