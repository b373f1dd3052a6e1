/**
 * Agents: the list, creating one, and one agent's page: name, greeting, accent, theme and language with a live preview
 * of the real widget view, how it answers (demo, webhook, OpenAI-compatible model), "send a test event"
 * with the agent's answer, and rotating the webhook secret. Every rule is the API's: its 400 messages
 * are shown as they come.
 */
import type { Agent, AgentList, AgentTestResult } from '../protocol/api.js';
import { PREVIEW_MESSAGE } from '../protocol/console.js';
import { LANGUAGES, THEMES } from '../protocol/languages.js';
import { seg } from './api.js';
import { confirmDialog, field, fill, h } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';

export const agentsPage: Page = async (ctx, [id]) => (id ? agentPage(ctx, id) : listPage(ctx));

const answersBy = (a: Agent) => (a.llm ? `model ${a.llm.model}` : a.webhook_url ? 'webhook' : 'demo agent');

async function listPage(ctx: PageContext): Promise<void> {
  heading(ctx, 'Agents');
  const agents = (await ctx.api.get<AgentList>('/api/v1/agents?limit=100')).data;
  const name = field('Name', h('input', { type: 'text', required: true, maxlength: 100, autocomplete: 'off' }));
  const error = h('p', { class: 'msg error', role: 'alert' });
  const create = h('form', { class: 'card', 'aria-labelledby': 'create-agent' }, h('h2', { id: 'create-agent' }, 'Create an agent'), name.row, h('button', { type: 'submit', class: 'primary' }, 'Create agent'), error);
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const agent = await ctx.api.send<Agent>('POST', '/api/v1/agents', { name: name.control.value });
      location.hash = `#/agents/${seg(agent.id)}`;
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  });
  ctx.main.append(
    h('table', {},
      h('caption', { class: 'sr' }, 'Agents of this account'),
      h('thead', {}, h('tr', {}, ...['Name', 'Answers through', 'Accent', 'Default'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...agents.map((a) =>
        h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/agents/${seg(a.id)}` }, a.name)),
          h('td', {}, answersBy(a)),
          h('td', {}, h('code', {}, a.accent_color)),
          h('td', {}, a.is_default ? 'yes' : ''))))),
    create,
  );
}

async function agentPage(ctx: PageContext, id: string): Promise<void> {
  const agent = await ctx.api.get<Agent>(`/api/v1/agents/${seg(id)}`);
  heading(ctx, `Agent "${agent.name}"`);

  const name = field('Name', h('input', { type: 'text', value: agent.name, required: true, maxlength: 100, autocomplete: 'off' }));
  const greeting = field('Greeting', h('textarea', { rows: 2, maxlength: 500 }), 'The first message of every conversation.');
  greeting.control.value = agent.greeting;
  const accent = field('Accent colour', h('input', { type: 'color', value: agent.accent_color }), 'The launcher and the visitor\'s messages; text on it turns dark or white for contrast.');
  const theme = field('Theme', h('select', {}, ...THEMES.map((t) => h('option', { value: t, selected: t === agent.theme }, { auto: 'Follow the visitor (light or dark)', light: 'Light', dark: 'Dark' }[t]))));
  // The language names in their own language: the owner may not read the console's.
  const languageName = (code: string) => new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
  const locale = field('Language', h('select', {}, h('option', { value: '', selected: agent.locale === null }, "The visitor's browser language"),
    ...LANGUAGES.map((code) => h('option', { value: code, selected: code === agent.locale }, `${languageName(code)} (${code})`))),
  'The widget\'s own words (placeholder, Send, status lines). The greeting stays as you write it.');
  const mode = agent.llm ? 'llm' : agent.webhook_url ? 'webhook' : 'demo';
  const radios = (['demo', 'webhook', 'llm'] as const).map((value) => {
    const input = h('input', { type: 'radio', name: 'answers', value, id: `answers-${value}`, checked: value === mode });
    return h('div', { class: 'radio' }, input, h('label', { for: input.id }, { demo: 'The built-in demo agent', webhook: 'A webhook', llm: 'An OpenAI-compatible model' }[value]));
  });
  const webhook = field('Webhook URL', h('input', { type: 'url', value: agent.webhook_url ?? '', autocomplete: 'off', spellcheck: 'false' }), 'Receives each visitor message, signed with the webhook secret (docs/agents.md).');
  const baseUrl = field('Model API base URL', h('input', { type: 'url', value: agent.llm?.base_url ?? '', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://api.openai.com/v1' }));
  const model = field('Model', h('input', { type: 'text', value: agent.llm?.model ?? '', autocomplete: 'off', spellcheck: 'false' }));
  const apiKey = field('Model API key', h('input', { type: 'password', autocomplete: 'off' }),
    agent.llm?.api_key_last4 != null ? `A key ending in ${agent.llm.api_key_last4} is stored; leave this empty to keep it.` : 'Write-only: the hub never shows it again.');
  const prompt = field('System prompt', h('textarea', { rows: 3, maxlength: 10000 }));
  prompt.control.value = agent.llm?.system_prompt ?? '';
  const webhookGroup = h('div', { class: 'group' }, webhook.row);
  const llmGroup = h('div', { class: 'group' }, baseUrl.row, model.row, apiKey.row, prompt.row);
  const chosen = () => (ctx.main.querySelector<HTMLInputElement>('input[name=answers]:checked')?.value ?? 'demo') as typeof mode;
  const showGroups = () => {
    webhookGroup.hidden = chosen() !== 'webhook';
    llmGroup.hidden = chosen() !== 'llm';
  };
  const error = h('p', { class: 'msg error', role: 'alert' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'settings' },
    h('h2', { id: 'settings' }, 'Settings'),
    name.row, greeting.row, accent.row, theme.row, locale.row,
    h('fieldset', {}, h('legend', {}, 'Who answers'), ...radios, webhookGroup, llmGroup),
    h('button', { type: 'submit', class: 'primary' }, 'Save agent'), error);
  form.addEventListener('change', showGroups);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const patch: Record<string, unknown> = {
      name: name.control.value, greeting: greeting.control.value, accent_color: accent.control.value, theme: theme.control.value, locale: locale.control.value || null,
    };
    const how = chosen();
    if (how === 'demo') Object.assign(patch, { webhook_url: null, llm: null });
    if (how === 'webhook') patch.webhook_url = webhook.control.value;
    if (how === 'llm') {
      const llm: Record<string, unknown> = { base_url: baseUrl.control.value, model: model.control.value, system_prompt: prompt.control.value || null };
      if (apiKey.control.value) llm.api_key = apiKey.control.value;
      patch.llm = llm;
    }
    try {
      const saved = await ctx.api.send<Agent>('PATCH', `/api/v1/agents/${seg(id)}`, patch);
      ctx.main.replaceChildren();
      await agentPage(ctx, id);
      // The hub's colour warnings (e.g. a launcher hard to see on a white page) are worth reading at once.
      ctx.notify(['Agent saved. Widgets show the change at their next load.', ...(saved.warnings ?? []).map((w) => w.message)].join(' '));
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  });

  ctx.main.append(
    h('p', {}, h('a', { href: '#/agents' }, 'All agents')),
    h('div', { class: 'split' }, form, preview(agent, name.control, greeting.control, accent.control, theme.control, locale.control)),
    testEvent(ctx, id),
    secret(ctx, agent),
  );
  showGroups();
}

/** The real widget view, redrawn on every keystroke with what the form holds (unsaved). */
function preview(agent: Agent, name: HTMLInputElement, greeting: HTMLTextAreaElement, accent: HTMLInputElement, theme: HTMLSelectElement, locale: HTMLSelectElement): HTMLElement {
  const frame = h('iframe', { src: '/console/preview', title: 'Preview of the widget with these settings', class: 'preview' });
  const post = () =>
    frame.contentWindow?.postMessage(
      { type: PREVIEW_MESSAGE, agent: { id: agent.id, name: name.value || agent.name, greeting: greeting.value, accent_color: accent.value, theme: theme.value, locale: locale.value || null } },
      location.origin,
    );
  window.addEventListener('message', (e) => {
    if (e.origin === location.origin && e.source === frame.contentWindow && (e.data as { type?: unknown })?.type === PREVIEW_MESSAGE) post();
  });
  for (const input of [name, greeting, accent, theme, locale]) input.addEventListener('input', post);
  return h('section', { class: 'card', 'aria-labelledby': 'preview' }, h('h2', { id: 'preview' }, 'Preview'), frame);
}

function testEvent(ctx: PageContext, id: string): HTMLElement {
  const text = field('Message', h('input', { type: 'text', value: 'Hello! Is this working?', maxlength: 4000, autocomplete: 'off' }));
  const answer = h('div', { class: 'answer', role: 'status' });
  const button = h('button', { type: 'submit' }, 'Send a test event');
  const form = h('form', { class: 'card', 'aria-labelledby': 'test-event' },
    h('h2', { id: 'test-event' }, 'Send a test event'),
    h('p', { class: 'hint' }, 'A signed message to the agent as it is saved, in a test conversation that is not stored. Save your changes first.'),
    text.row, button, answer);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    fill(answer, 'Waiting for the agent…');
    try {
      const r = await ctx.api.send<AgentTestResult>('POST', `/api/v1/agents/${seg(id)}/test`, { text: text.control.value });
      fill(answer,
        r.outcome === 'replied' ? h('p', {}, h('strong', {}, 'The agent answered: '), r.reply)
        : r.outcome === 'accepted' ? h('p', {}, 'The agent accepted the message (202) and would answer later.')
        : h('p', { class: 'error' }, h('strong', {}, `Failed (${r.failure!.type}): `), r.failure!.detail, h('br'), `A visitor would see: ${r.failure!.message}`),
        r.statuses.length ? h('p', { class: 'hint' }, `Status lines: ${r.statuses.join(' · ')}`) : null);
    } catch (err) {
      fill(answer, h('p', { class: 'error' }, (err as Error).message));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function secret(ctx: PageContext, agent: Agent): HTMLElement {
  const value = h('code', {}, agent.webhook_secret);
  const error = h('p', { class: 'msg error', role: 'alert' });
  const rotate = h('button', { type: 'button', class: 'danger', onclick: async () => {
    const ok = await confirmDialog('Rotate the webhook secret?', [h('p', {}, 'The new secret signs the next request at once: an agent still checking the old one refuses it until you deploy the new one.')], 'Rotate', true);
    if (!ok) return;
    try {
      const rotated = await ctx.api.send<Agent>('POST', `/api/v1/agents/${seg(agent.id)}/webhook-secret/rotate`);
      value.textContent = rotated.webhook_secret;
      ctx.notify('Webhook secret rotated. Deploy the new one to your agent now.');
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  } }, 'Rotate webhook secret');
  return h('section', { class: 'card', 'aria-labelledby': 'secret' }, h('h2', { id: 'secret' }, 'Webhook secret'), h('p', {}, value), rotate, error);
}
