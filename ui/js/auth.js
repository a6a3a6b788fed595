// Who is signed in, and the bearer token the API wants.
// - In Azure: Entra ID through MSAL (the library ships with the app under vendor/).
// - Locally (`make run`, tests): the dev sign-in mints a token with the local dev key. The server
//   refuses it on the platform, so ui-config never offers it there.

import { ASSETS, UI_BASE } from './dom.js';

const API_BASE = UI_BASE.replace(/ui\/$/, '');
const DEV_SESSION = 'partner-leads.dev-session';
export const PARTNER_ROLES = ['Referrals.Admin', 'Referrals.User', 'BusinessProfile.Admin'];

let config = { msal: null, devSignIn: false };
let msal = null; // { app, library }
let claims = null;

export async function loadConfig() {
  const response = await fetch(`${API_BASE}ui-config`, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`ui-config answered ${response.status}`);
  config = await response.json();
  return config;
}

export async function initAuth() {
  if (config.msal) await initMsal(config.msal);
  if (msal) {
    claims = msal.app.getActiveAccount() ? decodeClaims(await getToken()) : null;
  } else {
    const stored = readDevSession();
    claims = stored ? decodeClaims(stored.accessToken) : null;
  }
}

/** The signed-in user as the UI needs it, or null. */
export function session() {
  if (!claims) return null;
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  return {
    name: claims.name || claims.preferred_username || claims.email || 'Signed in',
    email: claims.email || claims.preferred_username || null,
    partnerId: claims.partner_id || null,
    roles,
    userId: claims.oid || claims.sub,
  };
}

export async function getToken() {
  if (msal) return getMsalToken();
  const stored = readDevSession();
  if (!stored) return null;
  if (new Date(stored.expiresOn).getTime() < Date.now() + 30000) {
    expire();
    return null;
  }
  return stored.accessToken;
}

export async function devSignIn({ partnerId, roles, name, email }) {
  const response = await fetch(`${API_BASE}dev-sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ partnerId, roles, name, email }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.detail || `Sign-in failed (${response.status})`);
    error.problem = body;
    throw error;
  }
  window.localStorage.setItem(DEV_SESSION, JSON.stringify(body));
  claims = decodeClaims(body.accessToken);
  changed();
}

export async function msalSignIn() {
  await msal.app.loginRedirect({ scopes: config.msal.scopes, redirectStartPage: window.location.href });
}

export async function signOut() {
  window.localStorage.removeItem(DEV_SESSION);
  claims = null;
  if (msal && msal.app.getActiveAccount()) {
    await msal.app.logoutRedirect({ account: msal.app.getActiveAccount(), postLogoutRedirectUri: absolute(UI_BASE) });
    return;
  }
  changed();
}

/** The API said 401: the session is over (expired or revoked). */
export function expire() {
  if (!claims) return;
  window.localStorage.removeItem(DEV_SESSION);
  claims = null;
  changed('Your session has ended. Please sign in again.');
}

function changed(message) {
  window.dispatchEvent(new CustomEvent('auth:changed', { detail: { message } }));
}

function readDevSession() {
  try {
    const stored = JSON.parse(window.localStorage.getItem(DEV_SESSION) || 'null');
    return stored && stored.accessToken ? stored : null;
  } catch {
    return null;
  }
}

function decodeClaims(token) {
  if (!token) return null;
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

const absolute = (path) => new URL(path, window.location.origin).href;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

async function initMsal(settings) {
  await loadScript(`${ASSETS}vendor/msal-browser.min.js`);
  const library = window.msal;
  const app = new library.PublicClientApplication({
    auth: {
      clientId: settings.clientId,
      authority: settings.authority,
      redirectUri: absolute(`${UI_BASE}${settings.redirectPage}`),
      postLogoutRedirectUri: absolute(UI_BASE),
    },
    // Shared by the tabs of this origin, so a lead opened in a new tab is signed in too.
    cache: { cacheLocation: 'localStorage' },
  });
  await app.initialize();
  const result = await app.handleRedirectPromise();
  if (result?.account) app.setActiveAccount(result.account);
  if (!app.getActiveAccount() && app.getAllAccounts().length) app.setActiveAccount(app.getAllAccounts()[0]);
  msal = { app, library };
}

async function getMsalToken() {
  const account = msal.app.getActiveAccount();
  if (!account) return null;
  try {
    const result = await msal.app.acquireTokenSilent({ scopes: config.msal.scopes, account });
    return result.accessToken;
  } catch (error) {
    if (error instanceof msal.library.InteractionRequiredAuthError) {
      await msal.app.acquireTokenRedirect({ scopes: config.msal.scopes, account });
    }
    throw error;
  }
}

export const authConfig = () => config;
