import { describe, expect, it } from 'vitest';

import { responseLocation, responseText } from '../../src/calcom/responses.js';

describe('responseText', () => {
  it.each<[string, unknown, string | null]>([
    ['a labelled string', { phone: { label: 'Phone', value: ' +1 555 ' } }, '+1 555'],
    ['a labelled entry without value (left empty)', { phone: { label: 'Phone', isHidden: false } }, null],
    ['a hidden entry with a value', { phone: { label: 'Phone', value: '+1', isHidden: true } }, '+1'],
    ['a bare string', { phone: '+1' }, '+1'],
    ['a bare {value}', { phone: { value: '+1' } }, '+1'],
    ['a labelled {value} object', { phone: { label: 'Phone', value: { value: '+1' } } }, '+1'],
    ['an array', { phone: ['+1'] }, null],
    ['a labelled array', { phone: { label: 'Phone', value: ['+1'] } }, null],
    ['a number', { phone: 15550100 }, null],
    ['a blank string', { phone: '  ' }, null],
    ['null', { phone: null }, null],
    ['absent', {}, null],
  ])('%s', (_name, responses, expected) => {
    expect(responseText(responses as Record<string, unknown>, 'phone')).toBe(expected);
  });

  it('handles missing responses and prototype names', () => {
    expect(responseText(null, 'phone')).toBeNull();
    expect(responseText(undefined, 'phone')).toBeNull();
    expect(responseText({}, 'constructor')).toBeNull();
  });
});

describe('responseLocation', () => {
  it.each<[string, unknown, string | null]>([
    ['labelled {value, optionValue}', { label: 'location', value: { value: 'inPerson', optionValue: '1 Main St' } }, '1 Main St'],
    ['labelled, empty optionValue', { label: 'location', value: { value: 'integrations:daily', optionValue: '' } }, 'integrations:daily'],
    ['bare {value, optionValue}', { value: 'phone', optionValue: '+1 555' }, '+1 555'],
    ['bare {value}', { value: 'integrations:zoom' }, 'integrations:zoom'],
    ['labelled string', { label: 'location', value: 'Office' }, 'Office'],
    ['bare string', 'Office', 'Office'],
    ['labelled without value', { label: 'location', isHidden: false }, null],
    ['an array', ['Office'], null],
  ])('%s', (_name, location, expected) => {
    expect(responseLocation({ location })).toBe(expected);
  });
});
