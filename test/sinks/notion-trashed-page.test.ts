// How the Notion sink recognises "this page is in the trash" when it edits one: the documented wording
// ("Can't edit block that is archived"), which the emulator answers under API 2026-03-11 too, and the
// "in trash" wording 2026-03-11 may use now that `archived` is called `in_trash`. Anything else stays an error.
import { APIErrorCode, APIResponseError, Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTION_VERSION } from '../../src/sinks/notion/client.js';
import { isTrashedPageRefusal } from '../../src/sinks/notion/errors.js';
import { startNotionWorkspace, type NotionWorkspace } from './support/notion.js';

function notionError(code: APIErrorCode, message: string, status = 400): APIResponseError {
  const rawBodyText = JSON.stringify({ object: 'error', status, code, message });
  return new APIResponseError({ code, status, message, headers: {}, rawBodyText, additional_data: undefined, request_id: undefined });
}

describe('a trashed Notion page, as Notion refuses an edit of it', () => {
  let notion: NotionWorkspace;
  beforeAll(async () => {
    notion = await startNotionWorkspace();
  });
  afterAll(async () => {
    await notion?.close();
  });

  it(`the emulator under ${NOTION_VERSION} answers an edit of a trashed page with a refusal the sink recognises`, async () => {
    const client = new Client({ auth: notion.emulator.token, baseUrl: notion.emulator.url, notionVersion: NOTION_VERSION, logger: () => {} });
    const page = notion.emulator.state.createPage(notion.clientsDataSourceId, { Name: { title: [{ type: 'text', text: { content: 'Trashed' } }] } });
    await client.pages.update({ page_id: page.id, in_trash: true });
    const edit = await client.pages.update({ page_id: page.id, properties: { Name: { title: [{ type: 'text', text: { content: 'Edited' } }] } } }).catch((err: unknown) => err);
    expect(APIResponseError.isAPIResponseError(edit) && edit.code).toBe(APIErrorCode.ValidationError);
    expect((edit as APIResponseError).message).toContain("Can't edit block that is archived");
    expect(isTrashedPageRefusal(edit)).toBe(true);
    const again = await client.pages.update({ page_id: page.id, in_trash: true }).catch((err: unknown) => err);
    expect(isTrashedPageRefusal(again)).toBe(true);
    // Restoring is the one edit a trashed page accepts.
    expect((await client.pages.update({ page_id: page.id, in_trash: false })).id).toBe(page.id);
  });

  it.each([
    "Can't edit block that is archived. You must unarchive the block before editing.",
    "Can't edit block that is in trash. You must restore the block before editing.",
    "Can\u2019t edit page that is in the trash.",
    'Cannot edit a block that is in_trash.',
  ])('recognises %j', (message) => {
    expect(isTrashedPageRefusal(notionError(APIErrorCode.ValidationError, message))).toBe(true);
  });

  it('refuses everything else: other validation errors, other codes, the words past the first 200 characters', () => {
    expect(isTrashedPageRefusal(notionError(APIErrorCode.ValidationError, 'Email is expected to be email.'))).toBe(false);
    expect(isTrashedPageRefusal(notionError(APIErrorCode.ValidationError, 'Archived is not a property that exists.'))).toBe(false);
    expect(isTrashedPageRefusal(notionError(APIErrorCode.ObjectNotFound, "Can't edit block that is in trash.", 404))).toBe(false);
    expect(isTrashedPageRefusal(notionError(APIErrorCode.ValidationError, `${'x'.repeat(300)} Can't edit block that is in trash.`))).toBe(false);
    expect(isTrashedPageRefusal(new Error("Can't edit block that is archived"))).toBe(false);
    expect(isTrashedPageRefusal(undefined)).toBe(false);
  });
});
