// The sign-in page's passkey button and passkey autofill (conditional UI), and the second-factor page's
// passkey button, with @simplewebauthn/browser (served beside this file as webauthn.js). The options come
// from the service, which keeps their challenge; the signed answer is posted with the page's form, so the
// service answers with a redirect or the page again.
(() => {
  const form = document.getElementById('passkey-form');
  const webauthn = window.SimpleWebAuthnBrowser;
  if (!form || !webauthn?.browserSupportsWebAuthn()) return;
  const status = document.getElementById('passkey-status');
  const field = (name) => form.elements.namedItem(name);

  // One challenge per page: the button and the autofill prompt share it; the service uses it once.
  let options;
  const fetchOptions = async () => {
    const response = await fetch(form.dataset.options, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ csrf: field('csrf').value }),
      credentials: 'same-origin',
    });
    if (!response.ok) throw new Error('The passkey sign-in could not start. Reload the page and try again.');
    return response.json();
  };

  const signIn = async (useBrowserAutofill) => {
    options ??= fetchOptions();
    const optionsJSON = await options.catch((error) => {
      options = undefined;
      throw error;
    });
    const credential = await webauthn.startAuthentication({ optionsJSON, useBrowserAutofill });
    field('credential').value = JSON.stringify(credential);
    form.submit();
  };

  const report = (error) => {
    // Cancelled by the user, or replaced by the button's ceremony: nothing to say.
    if (error && (error.name === 'AbortError' || error.code === 'ERROR_CEREMONY_ABORTED')) return;
    status.textContent =
      error && error.name === 'NotAllowedError'
        ? 'The passkey sign-in was cancelled or timed out.'
        : (error?.message ?? 'The passkey sign-in failed.');
  };

  form.hidden = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.textContent = '';
    signIn(false).catch(report);
  });
  // The second-factor page has no field to autofill: its passkey is asked by the button alone.
  if (form.dataset.autofill === 'off') return;
  webauthn
    .browserSupportsWebAuthnAutofill()
    .then((supported) => (supported ? signIn(true) : undefined))
    .catch(report);
})();
