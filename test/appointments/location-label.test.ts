// The location as a person reads it: conferencing apps by name, links kept as links, anything else as is.
import { describe, expect, it } from 'vitest';
import { locationLabel } from '../../src/appointments/location-label.js';
import { locationRichText } from '../../src/sinks/notion/values.js';

describe('locationLabel', () => {
  it.each([
    ['integrations:daily', { videoCallUrl: 'https://app.cal.com/video/abc' }, { text: 'Cal Video', url: 'https://app.cal.com/video/abc' }],
    ['integrations:daily', {}, { text: 'Cal Video', url: null }],
    ['integrations:google:meet', { videoCallUrl: 'https://meet.google.com/abc-defg-hij' }, { text: 'Google Meet', url: 'https://meet.google.com/abc-defg-hij' }],
    ['integrations:zoom', {}, { text: 'Zoom', url: null }],
    ['integrations:office365_video', {}, { text: 'Microsoft Teams', url: null }],
    ['integrations:acme_rooms_video', {}, { text: 'Acme Rooms', url: null }],
    ['https://zoom.us/j/123', {}, { text: 'https://zoom.us/j/123', url: 'https://zoom.us/j/123' }],
    ['12 Market Street, Leeds', {}, { text: '12 Market Street, Leeds', url: null }],
    ['integrations:daily', { videoCallUrl: 'javascript:alert(1)' }, { text: 'Cal Video', url: null }],
  ])('%s with %j', (location, metadata, expected) => {
    expect(locationLabel(location, metadata)).toEqual(expected);
  });

  it('is null without a location or a link', () => {
    expect(locationLabel(null, {})).toBeNull();
    expect(locationLabel('  ', null)).toBeNull();
  });
});

describe('the Notion Location value', () => {
  it('names the app and keeps the meeting URL as a link', () => {
    expect(locationRichText({ location: 'integrations:daily', metadata: { videoCallUrl: 'https://app.cal.com/video/abc' } })).toEqual([
      { type: 'text', text: { content: 'Cal Video: ' } },
      { type: 'text', text: { content: 'https://app.cal.com/video/abc', link: { url: 'https://app.cal.com/video/abc' } } },
    ]);
    expect(locationRichText({ location: 'https://zoom.us/j/1', metadata: {} })).toEqual([
      { type: 'text', text: { content: 'https://zoom.us/j/1', link: { url: 'https://zoom.us/j/1' } } },
    ]);
    expect(locationRichText({ location: 'integrations:zoom', metadata: {} })).toEqual([{ type: 'text', text: { content: 'Zoom' } }]);
    expect(JSON.stringify(locationRichText({ location: 'integrations:daily', metadata: {} }))).not.toContain('integrations:');
  });
});
