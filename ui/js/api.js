// The partner workspace API (GET /api/openapi.json): bearer token, ETags, problem+json errors.

import { expire, getToken } from './auth.js';
import { UI_BASE } from './dom.js';

const API_BASE = UI_BASE.replace(/ui\/$/, '');

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `The server answered ${status}.`);
    this.status = status;
    this.title = problem.title || 'Something went wrong';
    this.detail = problem.detail || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }

  /** 409 (the lead's state no longer allows it) or 412 (changed since it was read). */
  get isConflict() {
    return this.status === 409 || this.status === 412;
  }
}

export async function request(method, path, { query, body, etag, contentType, accept } = {}) {
  const headers = { Accept: accept || 'application/json' };
  const token = await getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (etag) headers['If-Match'] = etag;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    payload = JSON.stringify(body);
  }
  const search = query && String(query) ? `?${query}` : '';
  let response;
  try {
    response = await fetch(`${API_BASE}${path}${search}`, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    if (response.status === 401) expire();
    throw new ApiError(response.status, problem);
  }
  return response;
}

const json = async (promise) => (await promise).json();

/** The same request (token, problem+json errors) for the operators' API (operator-api.js). */
export const apiRequest = (method, path, options) => request(method, path, options);

async function withEtag(promise) {
  const response = await promise;
  return { body: await response.json(), etag: response.headers.get('ETag') };
}

const lead = (id) => `leads/${encodeURIComponent(id)}`;

export const api = {
  listLeads: (query) => json(request('GET', 'leads', { query })),
  exportLeads: async (query) => (await request('GET', 'leads/export', { query, accept: 'text/csv' })).blob(),
  getLead: (id) => withEtag(request('GET', lead(id))),
  act: (id, action, body, etag) => withEtag(request('POST', `${lead(id)}/${action}`, { body, etag })),
  edit: (id, patch, etag) =>
    withEtag(request('PATCH', lead(id), { body: patch, etag, contentType: 'application/merge-patch+json' })),
  favorite: (id, on) => json(request(on ? 'PUT' : 'DELETE', `${lead(id)}/favorite`)),
  notifications: (query) => json(request('GET', 'notifications', { query })),
  insights: (query) => json(request('GET', 'insights', { query })),
  contacts: () => withEtag(request('GET', 'profile/contacts')),
  saveContacts: (contacts, etag) => withEtag(request('PUT', 'profile/contacts', { body: { contacts }, etag })),
  preferences: () => json(request('GET', 'me/preferences')),
  savePreferences: (body) => json(request('PUT', 'me/preferences', { body })),
  team: () => json(request('GET', 'team')),
  saveMember: (id, body) => json(request('PUT', `team/${encodeURIComponent(id)}`, { body })),
  routing: () => withEtag(request('GET', 'profile/routing')),
  saveRouting: (body, etag) => withEtag(request('PUT', 'profile/routing', { body, etag })),
  previewRouting: (body) => json(request('POST', 'profile/routing/preview', { body })),
};
