// The sandbox console (docs/sandbox.md). Plain browser JavaScript, no build step. It talks only to the sandbox's
// same-origin relay to the emulators (/console/api/...) and to the bot's own HTTP API (/api/v1/events).
'use strict';

const $ = (id) => document.getElementById(id);
const state = {
  config: null,
  commands: [],
  userId: null,
  channelId: null,
  channelMessages: [],
  local: new Map(),        // message id (or local id) → {message, userId, kind}: ephemeral replies and notices
  rendered: new Map(),     // message id → {node, json}
  boardEditing: false,
  autocompleteSeq: 0,
};
const OPTION = { SUB: 1, GROUP: 2, STRING: 3, INTEGER: 4, BOOLEAN: 5, USER: 6, NUMBER: 10 };
const EPHEMERAL = 64, LOADING = 128;

async function api(path, init) {
  const response = await fetch(path, init);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  if (!response.ok) throw new Error((body && body.message) || text || `HTTP ${response.status}`);
  return body;
}
const post = (path, body) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const escapeHtml = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function markdown(text) {
  const users = state.config ? state.config.users : [];
  return escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/&lt;t:(\d+)(:\w)?&gt;/g, (_, seconds) => new Date(Number(seconds) * 1000).toISOString().replace('T', ' ').slice(0, 16))
    .replace(/&lt;@!?(\d+)&gt;/g, (_, id) => '@' + escapeHtml((users.find((u) => u.id === id) || { name: id }).name));
}

// ---------- the command line: "/ledger create title:Rotate the keys due:+7" ----------

function parseLine(text) {
  const match = /^\/(\S*)(?:\s+([\s\S]*))?$/.exec(text);
  if (!match) return null;
  const parsed = { commandText: match[1], command: state.commands.find((c) => c.name === match[1]), path: [], defs: [], values: [], rest: match[2] ?? null, pendingWord: null };
  if (!parsed.command) return parsed;
  let defs = parsed.command.options || [];
  let rest = parsed.rest ?? '';
  while (defs.length && defs.every((o) => o.type === OPTION.SUB || o.type === OPTION.GROUP)) {
    const word = /^(\S*)(\s*)([\s\S]*)$/.exec(rest);
    const sub = defs.find((o) => o.name === word[1]);
    if (!sub || (!word[2] && !word[3] && parsed.rest !== null && !text.endsWith(' '))) {
      parsed.pendingWord = { defs, typed: word[1], complete: false };
      return parsed;
    }
    parsed.path.push(sub);
    defs = sub.options || [];
    rest = word[3];
  }
  parsed.defs = defs;
  const names = new Set(defs.map((d) => d.name));
  const marks = [];
  const re = /(^|\s)([\w-]+):/g;
  let m;
  while ((m = re.exec(rest))) {
    if (names.has(m[2])) marks.push({ name: m[2], start: m.index + m[1].length, valueStart: re.lastIndex });
  }
  parsed.values = marks.map((mark, i) => ({
    name: mark.name,
    raw: rest.slice(mark.valueStart, i + 1 < marks.length ? marks[i + 1].start : rest.length).trim().replace(/^"([\s\S]*)"$/, '$1'),
    last: i === marks.length - 1,
  }));
  parsed.tail = marks.length ? '' : rest.trim();
  parsed.endsInValue = marks.length > 0 && !/\s$/.test(text);
  return parsed;
}

function convert(def, raw) {
  switch (def.type) {
    case OPTION.INTEGER: return Number.parseInt(raw, 10);
    case OPTION.NUMBER: return Number.parseFloat(raw);
    case OPTION.BOOLEAN: return /^(true|yes|1)$/i.test(raw);
    case OPTION.USER: {
      const user = state.config.users.find((u) => u.id === raw || u.username === raw.replace(/^@/, '') || u.name === raw.replace(/^@/, ''));
      return user ? user.id : raw;
    }
    default: return raw;
  }
}

function interactionData(parsed, focused) {
  let options = parsed.values.map((v) => {
    const def = parsed.defs.find((d) => d.name === v.name);
    const option = { name: v.name, type: def.type, value: v.name === focused ? v.raw : convert(def, v.raw) };
    if (v.name === focused) option.focused = true;
    return option;
  });
  for (let i = parsed.path.length - 1; i >= 0; i--) options = [{ name: parsed.path[i].name, type: parsed.path[i].type, options }];
  return { name: parsed.command.name, type: 1, options };
}

function problems(parsed) {
  if (!parsed) return ['Commands start with /'];
  if (!parsed.command) return [`Unknown command /${parsed.commandText}`];
  if (parsed.pendingWord) return [`Choose a subcommand: ${parsed.pendingWord.defs.map((d) => d.name).join(', ')}`];
  const errors = [];
  if (parsed.tail) errors.push(`"${parsed.tail}" is not an option; write name:value`);
  for (const def of parsed.defs) {
    const value = parsed.values.find((v) => v.name === def.name);
    if (def.required && (!value || value.raw === '')) errors.push(`${def.name} is required`);
    if (value && def.choices && !def.choices.some((c) => String(c.value) === value.raw)) errors.push(`${def.name} must be one of ${def.choices.map((c) => c.value).join(', ')}`);
    if (value && (def.type === OPTION.INTEGER || def.type === OPTION.NUMBER) && Number.isNaN(convert(def, value.raw))) errors.push(`${def.name} must be a number`);
  }
  return errors;
}

// ---------- hints and autocomplete ----------

function showHints(items, error) {
  const hints = $('hints');
  hints.innerHTML = '';
  if (error) hints.insertAdjacentHTML('beforeend', `<div class="hint-error" data-testid="hint-error">${escapeHtml(error)}</div>`);
  for (const item of items) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'hint';
    button.dataset.testid = 'hint';
    button.innerHTML = `<span>${escapeHtml(item.label)}</span><span class="desc">${escapeHtml(item.description ?? '')}</span>`;
    button.addEventListener('mousedown', (e) => { e.preventDefault(); applyHint(item.insert); });
    hints.appendChild(button);
  }
}

function applyHint(text) {
  $('box').value = text;
  $('box').focus();
  updateHints();
}

let autocompleteTimer = null;
function updateHints() {
  const text = $('box').value;
  clearTimeout(autocompleteTimer);
  if (!text.startsWith('/')) return showHints([]);
  const parsed = parseLine(text);
  if (!parsed.command) {
    return showHints(state.commands.filter((c) => c.name.startsWith(parsed.commandText)).map((c) => ({ label: '/' + c.name, description: c.description, insert: `/${c.name} ` })));
  }
  if (parsed.pendingWord) {
    const prefix = text.slice(0, text.length - parsed.pendingWord.typed.length);
    return showHints(parsed.pendingWord.defs.filter((d) => d.name.startsWith(parsed.pendingWord.typed)).map((d) => ({ label: d.name, description: d.description, insert: `${prefix}${d.name} ` })));
  }
  const current = parsed.endsInValue ? parsed.values[parsed.values.length - 1] : null;
  const def = current && parsed.defs.find((d) => d.name === current.name);
  if (def && def.choices) {
    const base = text.slice(0, text.length - current.raw.length);
    return showHints(def.choices.filter((c) => String(c.value).startsWith(current.raw)).map((c) => ({ label: c.name, description: `${def.name}`, insert: `${base}${c.value} ` })));
  }
  if (def && def.autocomplete) {
    autocompleteTimer = setTimeout(() => autocomplete(parsed, current, text), 250);
    return showHints([], null);
  }
  const given = new Set(parsed.values.map((v) => v.name));
  const spacer = /\s$/.test(text) ? '' : ' ';
  const open = parsed.defs.filter((d) => !given.has(d.name));
  const errors = problems(parsed).filter((e) => !e.endsWith('is required'));
  showHints(open.map((d) => ({ label: `${d.name}:`, description: `${d.required ? 'required · ' : ''}${d.description}`, insert: `${text}${spacer}${d.name}:` })), errors[0]);
}

// Autocomplete is a real interaction (type 4): the bot answers with choices, exactly as Discord's client asks.
async function autocomplete(parsed, current, text) {
  const seq = ++state.autocompleteSeq;
  try {
    const sent = await post('/console/api/discord/interactions', { type: 4, channel_id: state.channelId, member: { user: { id: state.userId } }, data: interactionData(parsed, current.name) });
    for (let i = 0; i < 30 && seq === state.autocompleteSeq; i++) {
      const steps = await api(`/console/api/discord/interactions/${sent.id}/responses`);
      const answer = steps.find((s) => s.kind === 'callback');
      if (answer) {
        if (seq !== state.autocompleteSeq || $('box').value !== text) return;
        const base = text.slice(0, text.length - current.raw.length);
        return showHints((answer.data?.choices ?? []).map((c) => ({ label: c.name, description: current.name, insert: `${base}${c.value} ` })), (answer.data?.choices ?? []).length ? null : 'no matches');
      }
      await sleep(100);
    }
  } catch (error) {
    if (seq === state.autocompleteSeq) showHints([], error.message);
  }
}

// ---------- sending commands and pressing buttons ----------

async function sendLine(event) {
  event.preventDefault();
  const text = $('box').value.trim();
  const parsed = parseLine(text);
  const errors = problems(parsed);
  if (errors.length) return showHints([], errors.join('; '));
  state.autocompleteSeq++;
  $('box').value = '';
  showHints([]);
  await deliver({ type: 2, data: interactionData(parsed) }, text);
}

async function press(message, customId) {
  await deliver({ type: 3, data: { custom_id: customId, component_type: 2 } }, null, message.channel_id);
}

async function deliver(interaction, label, channelId) {
  const userId = state.userId;
  try {
    const sent = await post('/console/api/discord/interactions', { ...interaction, channel_id: channelId ?? state.channelId, member: { user: { id: userId } } });
    followInteraction(sent.id, userId);
  } catch (error) {
    notice(userId, `Discord refused ${label ?? 'the interaction'}: ${error.message}`);
  }
}

function notice(userId, text) {
  const id = `local-${Date.now()}-${Math.random()}`;
  state.local.set(id, { userId, kind: 'system', message: { id, content: text, author: { username: 'Discord (emulated)' }, timestamp: new Date().toISOString() } });
  render();
}

// Ephemeral replies exist only for the user who sent the interaction: read them from the interaction's responses.
async function followInteraction(id, userId) {
  const started = Date.now();
  let answered = false;
  while (Date.now() - started < 60000) {
    let steps = [];
    try { steps = await api(`/console/api/discord/interactions/${id}/responses`); } catch { /* retried below */ }
    if (steps.length) answered = true;
    for (const step of steps) {
      const message = step.message;
      if (!message) continue;
      if ((message.flags & EPHEMERAL) !== 0) {
        state.local.set(message.id, { userId, kind: 'ephemeral', message });
      }
    }
    render();
    const settled = steps.length && !steps.some((s) => s.message && (s.message.flags & LOADING)) &&
      (steps[steps.length - 1].kind !== 'callback' || [4, 6, 7, 8].includes(steps[0].callback_type));
    // Follow-ups may come after the reply (e.g. once monday confirms): keep listening a little while.
    if (settled && Date.now() - started > 15000) return;
    if (!answered && Date.now() - started > 3500) return notice(userId, 'The application did not respond (no answer within Discord\'s 3 seconds).');
    await sleep(400);
  }
}

// ---------- the channel ----------

async function pollChannel() {
  for (;;) {
    try {
      const channel = state.channelId;
      const messages = await api(`/console/api/discord/channels/${channel}/messages`);
      if (channel === state.channelId) {
        state.channelMessages = messages;
        $('channel-state').textContent = '';
        render();
      }
    } catch (error) {
      // e.g. #moderators: the console reads a channel as the bot sees it, and the bot cannot see that one.
      $('channel-state').textContent = `cannot read this channel: ${error.message}`;
    }
    await sleep(700);
  }
}

function snowflakeOrder(a, b) {
  const ka = /^\d+$/.test(a.message.id) ? BigInt(a.message.id) : BigInt(Date.parse(a.message.timestamp) - 1420070400000) << 22n;
  const kb = /^\d+$/.test(b.message.id) ? BigInt(b.message.id) : BigInt(Date.parse(b.message.timestamp) - 1420070400000) << 22n;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function render() {
  const entries = [
    ...state.channelMessages.map((message) => ({ message, kind: 'channel' })),
    ...[...state.local.values()].filter((e) => e.userId === state.userId && (e.kind === 'system' || e.message.channel_id === state.channelId)),
  ].sort(snowflakeOrder);
  const container = $('messages');
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
  const keep = new Set();
  let previous = null;
  for (const entry of entries) {
    const id = entry.message.id;
    keep.add(id);
    const json = JSON.stringify(entry);
    let cached = state.rendered.get(id);
    if (!cached || cached.json !== json) {
      const node = messageNode(entry);
      if (cached) cached.node.replaceWith(node);
      cached = { node, json };
      state.rendered.set(id, cached);
    }
    const expectedNext = previous ? previous.nextSibling : container.firstChild;
    if (expectedNext !== cached.node) container.insertBefore(cached.node, expectedNext);
    previous = cached.node;
  }
  for (const [id, cached] of state.rendered) {
    if (!keep.has(id)) { cached.node.remove(); state.rendered.delete(id); }
  }
  if (atBottom) container.scrollTop = container.scrollHeight;
}

function messageNode(entry) {
  const m = entry.message;
  const node = document.createElement('div');
  node.className = `message ${entry.kind}`;
  node.dataset.testid = entry.kind === 'ephemeral' ? 'ephemeral' : entry.kind === 'system' ? 'notice' : 'message';
  node.dataset.id = m.id;
  const author = m.author || {};
  let html = '';
  if (m.interaction && m.interaction.user) html += `<div class="invocation">↳ ${escapeHtml(m.interaction.user.global_name || m.interaction.user.username)} used /${escapeHtml(m.interaction.name)}</div>`;
  html += `<div><span class="author">${escapeHtml(author.global_name || author.username || '')}</span>${author.bot ? '<span class="bot-tag">BOT</span>' : ''}<span class="time">${escapeHtml((m.timestamp || '').replace('T', ' ').slice(0, 19))}${m.edited_timestamp ? ' (edited)' : ''}</span></div>`;
  if ((m.flags & LOADING) !== 0) html += '<div class="content muted">Ledger bot is thinking…</div>';
  if (m.content) html += `<div class="content">${markdown(m.content)}</div>`;
  for (const embed of m.embeds || []) {
    const color = embed.color != null ? '#' + embed.color.toString(16).padStart(6, '0') : '#95a5a6';
    html += `<div class="embed" data-testid="embed" style="border-left-color:${color}">`;
    if (embed.title) html += `<div class="embed-title" data-testid="embed-title">${markdown(embed.title)}</div>`;
    if (embed.description) html += `<div class="content">${markdown(embed.description)}</div>`;
    if (embed.fields && embed.fields.length) {
      html += '<div class="embed-fields">' + embed.fields.map((f) =>
        `<div class="embed-field${f.inline ? ' inline' : ''}" data-testid="field" data-name="${escapeHtml(f.name)}"><div class="field-name">${markdown(f.name)}</div><div class="field-value">${markdown(f.value)}</div></div>`).join('') + '</div>';
    }
    if (embed.footer) html += `<div class="embed-footer" data-testid="embed-footer">${escapeHtml(embed.footer.text)}</div>`;
    html += '</div>';
  }
  if (entry.kind === 'ephemeral') html += '<div class="ephemeral-note">Only you can see this</div>';
  node.innerHTML = html;
  if (m.components && m.components.length) {
    const rows = document.createElement('div');
    rows.className = 'components';
    for (const row of m.components) {
      const rowNode = document.createElement('div');
      rowNode.className = 'row';
      for (const component of row.components || []) {
        if (component.type !== 2) continue;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = `btn-${component.style}`;
        button.textContent = component.label || component.custom_id;
        button.dataset.testid = 'component';
        button.dataset.customId = component.custom_id || '';
        button.disabled = !!component.disabled || !component.custom_id;
        button.addEventListener('click', () => press(m, component.custom_id));
        rowNode.appendChild(button);
      }
      rows.appendChild(rowNode);
    }
    node.appendChild(rows);
  }
  return node;
}

// ---------- the monday board ----------

const BOARD_QUERY = (id) => `query { boards(ids: [${id}]) { id name columns { id title type settings_str } groups { id title color }
  items_page(limit: 200) { items { id name group { id } column_values { id type text value }
    updates(limit: 5) { id body created_at } subitems { id name } } } } }`;

async function pollBoard() {
  for (;;) {
    if (!state.boardEditing) {
      try {
        const result = await post('/console/api/monday', { query: BOARD_QUERY(state.config.boardId) });
        if (result.errors) throw new Error(result.errors.map((e) => e.message).join('; '));
        if (!state.boardEditing) renderBoard(result.data.boards[0]);
      } catch (error) {
        $('board').innerHTML = `<p class="hint-error">Could not read the board: ${escapeHtml(error.message)}</p>`;
      }
    }
    await sleep(1500);
  }
}

function statusLabels(board) {
  const column = board.columns.find((c) => c.id === 'ledger_status');
  // monday's settings list labels as [{label, is_deactivated…}] (older boards: an index → label object).
  try {
    const labels = JSON.parse(column.settings_str).labels || {};
    return (Array.isArray(labels) ? labels.filter((l) => !l.is_deactivated).map((l) => l.label) : Object.values(labels)).filter(Boolean);
  } catch { return []; }
}

function renderBoard(board) {
  $('board-name').textContent = `monday board: ${board.name} (${board.id})`;
  const labels = statusLabels(board);
  const text = (item, id) => (item.column_values.find((c) => c.id === id) || {}).text || '';
  const html = board.groups.map((group) => {
    const items = board.items_page.items.filter((i) => i.group && i.group.id === group.id);
    const rows = items.map((item) => {
      const status = text(item, 'ledger_status');
      const options = [...new Set([status, ...labels])].map((l) => `<option${l === status ? ' selected' : ''}>${escapeHtml(l)}</option>`).join('');
      return `<tr data-testid="board-item" data-item-id="${item.id}" data-name="${escapeHtml(item.name)}">
        <td>${escapeHtml(item.name)}<div class="muted small">${escapeHtml(text(item, 'ledger_key'))}</div></td>
        <td><select data-testid="board-status" data-item-id="${item.id}">${options}</select></td>
        <td data-testid="board-owner">${escapeHtml(text(item, 'ledger_owner'))}</td>
        <td>${escapeHtml(text(item, 'ledger_due'))}</td>
        <td><ul class="updates">${item.updates.map((u) => `<li>${escapeHtml(u.body.replace(/<[^>]+>/g, ' '))}</li>`).join('')}</ul></td>
        <td><ul class="subitems">${(item.subitems || []).map((s) => `<li>${escapeHtml(s.name)}</li>`).join('')}</ul></td></tr>`;
    }).join('');
    return `<div class="group" data-testid="board-group"><h3 style="border-left-color:${escapeHtml(group.color || '#579bfc')}">${escapeHtml(group.title)} <span class="muted small">${items.length}</span></h3>
      <table><thead><tr><th>Item</th><th>Status</th><th>Owner</th><th>Due</th><th>Updates</th><th>Subitems</th></tr></thead><tbody>${rows || '<tr><td colspan="6" class="muted">no items</td></tr>'}</tbody></table></div>`;
  }).join('');
  $('board').innerHTML = html || '<p class="muted">The board has no groups.</p>';
  for (const select of $('board').querySelectorAll('select[data-testid=board-status]')) {
    select.addEventListener('focus', () => { state.boardEditing = true; });
    select.addEventListener('blur', () => { state.boardEditing = false; });
    select.addEventListener('change', () => changeStatus(board.id, select.dataset.itemId, select.value));
  }
}

// An edit on monday itself (GraphQL with the board's token): the bot hears of it only through its monday sync.
async function changeStatus(boardId, itemId, label) {
  const value = JSON.stringify(JSON.stringify({ label }));
  try {
    const result = await post('/console/api/monday', { query: `mutation { change_column_value(board_id: ${boardId}, item_id: ${itemId}, column_id: "ledger_status", value: ${value}) { id } }` });
    if (result.errors) throw new Error(result.errors.map((e) => e.message).join('; '));
  } catch (error) {
    $('board').insertAdjacentHTML('afterbegin', `<p class="hint-error">monday refused the edit: ${escapeHtml(error.message)}</p>`);
  } finally {
    state.boardEditing = false;
  }
}

// ---------- the bot's live event stream (SSE over fetch: EventSource cannot send the bearer token) ----------

async function streamEvents() {
  let lastEventId = null;
  for (;;) {
    try {
      const url = '/api/v1/events' + (lastEventId ? `?lastEventId=${encodeURIComponent(lastEventId)}` : '');
      const response = await fetch(url, { headers: { Authorization: `Bearer ${state.config.apiToken}` } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      $('events-state').textContent = 'live';
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = { type: 'message', data: '' };
          for (const line of frame.split('\n')) {
            if (line.startsWith('id:')) lastEventId = line.slice(3).trim();
            else if (line.startsWith('event:')) event.type = line.slice(6).trim();
            else if (line.startsWith('data:')) event.data += line.slice(5).trim();
          }
          if (event.data) logEvent(event);
        }
      }
    } catch (error) {
      $('events-state').textContent = `reconnecting (${error.message})`;
    }
    await sleep(2000);
  }
}

function logEvent(event) {
  const list = $('events');
  const item = document.createElement('li');
  item.dataset.testid = 'event';
  item.dataset.type = event.type;
  item.textContent = `${new Date().toISOString().slice(11, 19)} ${event.type} ${event.data.length > 300 ? event.data.slice(0, 300) + '…' : event.data}`;
  list.appendChild(item);
  while (list.children.length > 200) list.firstChild.remove();
  list.scrollTop = list.scrollHeight;
}

// ---------- start ----------

async function start() {
  state.config = await api('/console/api/config');
  $('guild').textContent = state.config.guild;
  for (const user of state.config.users) $('user').add(new Option(`${user.name} (${user.roles || 'no roles'})`, user.id));
  for (const channel of state.config.channels) $('channel').add(new Option('#' + channel.name, channel.id));
  state.userId = $('user').value = state.config.defaultUserId;
  state.channelId = $('channel').value = state.config.defaultChannelId;
  $('user').addEventListener('change', () => { state.userId = $('user').value; render(); });
  $('channel').addEventListener('change', () => { state.channelId = $('channel').value; state.channelMessages = []; render(); });
  $('composer').addEventListener('submit', sendLine);
  $('box').addEventListener('input', updateHints);
  $('box').addEventListener('keydown', (e) => {
    const first = $('hints').querySelector('.hint');
    if (e.key === 'Tab' && first) { e.preventDefault(); first.dispatchEvent(new MouseEvent('mousedown')); }
  });
  pollChannel();
  pollBoard();
  streamEvents();
  // The bot registers its commands once it is connected; until then there is nothing to offer.
  while (!state.commands.length) {
    try { state.commands = await api('/console/api/discord/commands'); } catch { /* not yet */ }
    if (!state.commands.length) await sleep(500);
  }
  $('box').disabled = false;
  $('box').placeholder = 'Message #channel — type / for commands';
  document.body.dataset.ready = 'true';
}

start().catch((error) => showHints([], `The console could not start: ${error.message}`));
