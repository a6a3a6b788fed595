// The operators' API (Leads.Operator): partners, poison queues, failed notifications,
// deliveries and the jobs. Same bearer token and problem+json errors as the workspace's.

import { apiRequest } from './api.js';

const json = async (promise) => (await promise).json();
const seg = encodeURIComponent;

async function withEtag(promise) {
  const response = await promise;
  return { body: await response.json(), etag: response.headers.get('ETag') };
}

export const ops = {
  partners: (query) => json(apiRequest('GET', 'ops/partners', { query })),
  partner: (id) => withEtag(apiRequest('GET', `ops/partners/${seg(id)}`)),
  saveContacts: (id, contacts, etag) =>
    withEtag(apiRequest('PUT', `ops/partners/${seg(id)}/contacts`, { body: { contacts }, etag })),
  rotateKey: (id) => json(apiRequest('POST', `ops/partners/${seg(id)}/intake-key`)),
  queues: () => json(apiRequest('GET', 'ops/queues')),
  poison: (queue) => json(apiRequest('GET', `ops/queues/${seg(queue)}/poison`)),
  requeue: (queue, messageId) =>
    json(apiRequest('POST', `ops/queues/${seg(queue)}/poison/requeue`, { body: messageId ? { messageId } : {} })),
  deletePoison: (queue, messageId) =>
    json(apiRequest('POST', `ops/queues/${seg(queue)}/poison/delete`, { body: messageId ? { messageId } : {} })),
  failed: (query) => json(apiRequest('GET', 'ops/notifications/failed', { query })),
  resend: (partnerId, notificationId) =>
    json(apiRequest('POST', `ops/notifications/failed/${seg(partnerId)}/${seg(notificationId)}/resend`)),
  deliveries: (query) => json(apiRequest('GET', 'ops/deliveries', { query })),
  delivery: (id) => json(apiRequest('GET', `ops/deliveries/${seg(id)}`)),
  replay: (body) => json(apiRequest('POST', 'ops/deliveries/replay', { body })),
  jobs: () => json(apiRequest('GET', 'ops/jobs')),
  runJob: async (job, query) => {
    const response = await apiRequest('POST', `ops/jobs/${seg(job)}`, { query });
    return { status: response.status, body: await response.json() };
  },
};
