// Labels and formats. Times are shown in the user's own time zone (the browser's), with Intl.

export const LABELS = {
  view: { marketplace: 'Marketplace leads', qualified: 'Qualified leads', favorites: 'Favorites' },
  status: { Received: 'Received', Accepted: 'Accepted', Archived: 'Archived' },
  outcome: { Won: 'Won', Lost: 'Lost', Declined: 'Declined', Expired: 'Expired', AgedOut: 'Aged out' },
  callToAction: { GetItNow: 'Get it now', FreeTrial: 'Free trial', TestDrive: 'Test drive', ContactMe: 'Contact me' },
  source: { AppSource: 'AppSource', AzureMarketplace: 'Azure Marketplace', AzurePortal: 'Azure portal' },
  leadType: { Offer: 'Offer lead', Profile: 'Profile lead' },
  quality: { High: 'High', Low: 'Low' },
  emailValidity: { Valid: 'Valid', Invalid: 'Invalid', Spam: 'Spam', Unknown: 'Unknown' },
  phoneValidity: { Valid: 'Valid', Invalid: 'Invalid', Unknown: 'Unknown' },
  qualification: {
    MarketingQualified: 'Marketing-qualified',
    SalesQualified: 'Sales-qualified',
    CustomerInquiry: 'Customer inquiry',
  },
  reason: {
    BudgetNotAdequate: 'Budget not adequate',
    CustomerDidNotRespond: 'Customer did not respond',
    CustomerChoseAnotherVendor: 'Customer chose another vendor',
    RequirementNotMet: 'Requirement not met',
    NotACustomer: 'Not a customer',
    TimelineTooShort: 'Timeline too short',
    AbuseSpamOrPhishing: 'Abuse, spam or phishing',
    Other: 'Other',
  },
  sort: {
    '-createdAt': 'Newest first',
    createdAt: 'Oldest first',
    respondBy: 'Needs an answer first (respond by)',
    customer: 'Customer (A–Z)',
    '-customer': 'Customer (Z–A)',
    '-estimatedValue': 'Estimated value (highest first)',
    estimatedValue: 'Estimated value (lowest first)',
  },
};

export const label = (group, value) => (value == null ? '—' : LABELS[group]?.[value] ?? String(value));
export const options = (group) => Object.entries(LABELS[group]);

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const calendarDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatDateTime = (iso) => (iso ? dateTimeFormat.format(new Date(iso)) : '—');

/** A calendar date such as a close date ("2027-02-01"): the same day everywhere. */
export const formatDate = (day) => (day ? calendarDate.format(new Date(`${day}T00:00:00Z`)) : '—');

export function formatRelative(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(Math.round(seconds), 'second');
}

/** "2 d 5 h left", "40 min left", "Overdue by 3 h"; `urgent` under a day. */
export function countdown(iso, now = Date.now()) {
  const ms = new Date(iso).getTime() - now;
  const minutes = Math.round(Math.abs(ms) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const span = days ? `${days} d ${hours} h` : hours ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
  if (ms < 0) return { text: `Overdue by ${span}`, overdue: true, urgent: true };
  return { text: `${span} left`, overdue: false, urgent: ms < 86400000 };
}

export function formatDuration(seconds) {
  if (seconds == null) return '—';
  if (seconds < 60) return 'under a minute';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** "€60,000" for whole amounts, "€1,000.50" otherwise: cents only where there are some. */
export function formatMoney(value, currency) {
  if (value == null || value === '') return '—';
  const amount = Number(value);
  const whole = Number.isInteger(amount) ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : {};
  if (!currency) return new Intl.NumberFormat(undefined, whole).format(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, ...whole }).format(amount);
  } catch {
    return `${new Intl.NumberFormat(undefined, whole).format(amount)} ${currency}`;
  }
}

/** A calendar day in the user's own time zone, as a date input holds it: "2026-11-30". */
export function localDay(iso) {
  const day = new Date(iso);
  return [day.getFullYear(), day.getMonth() + 1, day.getDate()].map((part) => String(part).padStart(2, '0')).join('-');
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
export const formatDay = (iso) => (iso ? dayFormat.format(new Date(iso)) : '—');

export const formatPercent = (ratio) =>
  ratio == null ? '—' : new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);

const regionNames = (() => {
  try { return new Intl.DisplayNames(undefined, { type: 'region' }); } catch { return null; }
})();

export function countryName(code) {
  if (!code) return '—';
  if (regionNames && /^[A-Z]{2}$/.test(code)) {
    try { return regionNames.of(code) || code; } catch { return code; }
  }
  return code;
}

export function personName(customer) {
  const name = [customer?.firstName, customer?.lastName].filter(Boolean).join(' ');
  return name || null;
}
