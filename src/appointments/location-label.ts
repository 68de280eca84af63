// A booking's location as a person reads it. Cal.com stores conferencing apps as `integrations:<app>`
// (`integrations:daily` is Cal Video) and puts the meeting link in metadata.videoCallUrl; people want the
// app's name and a link they can click, not the internal value.

/** Cal.com app slugs (after `integrations:`) and the names their users know them by. */
const APP_NAMES: Readonly<Record<string, string>> = {
  daily: 'Cal Video',
  'google:meet': 'Google Meet',
  zoom: 'Zoom',
  office365_video: 'Microsoft Teams',
  msteams: 'Microsoft Teams',
  whereby_video: 'Whereby',
  jitsi: 'Jitsi Meet',
  huddle01: 'Huddle01',
  tandem: 'Tandem',
  around_video: 'Around',
  riverside_video: 'Riverside',
  sirius_video: 'Sirius Video',
  discord_video: 'Discord',
  facetime_video: 'FaceTime',
  webex_video: 'Webex',
  skype_video: 'Skype',
  element_call_video: 'Element Call',
  ping_video: 'Ping.gg',
  shimmer_video: 'Shimmer Video',
  salesroom_video: 'Salesroom',
};

const MAX_LOCATION_CHARS = 2000;
const MAX_URL_CHARS = 2000;

export interface LocationLabel {
  /** What to show. */
  text: string;
  /** A link to show with it (the meeting URL, or the location itself when it is one); null when none. */
  url: string | null;
}

function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_URL_CHARS) return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/** `integrations:some_app_video` → "Some App" when the app is not in the table. */
function appName(slug: string): string {
  const known = APP_NAMES[slug];
  if (known) return known;
  const words = slug.replace(/[:_-]+/g, ' ').replace(/\bvideo\b/g, '').trim().split(/\s+/).filter(Boolean);
  return words.length === 0 ? 'Video call' : words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}

/** Null when the booking has no location. `metadata` is the booking's (videoCallUrl is read from it). */
export function locationLabel(location: string | null, metadata: Record<string, unknown> | null): LocationLabel | null {
  const raw = location?.trim().slice(0, MAX_LOCATION_CHARS) ?? '';
  const videoUrl = httpUrl(metadata?.videoCallUrl);
  if (raw === '') return videoUrl ? { text: 'Video call', url: videoUrl } : null;
  if (raw.startsWith('integrations:')) return { text: appName(raw.slice('integrations:'.length).toLowerCase()), url: videoUrl };
  const asUrl = httpUrl(raw);
  if (asUrl) return { text: raw, url: asUrl };
  return { text: raw, url: null };
}
