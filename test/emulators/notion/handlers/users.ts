// GET /v1/users/me: the integration's bot user, which integrations often call as a token check.
import type { Handler } from './context.js';

export const retrieveBotUser: Handler = (ctx) => ({
  object: 'user',
  id: ctx.store.botUserId,
  name: 'Notion emulator',
  avatar_url: null,
  type: 'bot',
  bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Emulated workspace' },
});
