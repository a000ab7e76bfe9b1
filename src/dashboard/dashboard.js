// The redsqs dashboard, in the browser: no build step, no library. It talks to the service it was
// served by: the developer routes for what spans every account (/_redsqs/queues: every queue with
// its counts and the age of its oldest message on the service's clock; /_redsqs/messages: a peek
// with each message's state and when it becomes visible, and the delete of one message;
// /_redsqs/pollers) and the SQS API (AWS JSON 1.0, POST /_redsqs/sqs: unsigned, as the default
// account) for the rest. It polls every two seconds, and puts text into the page only as text
// (textContent, text nodes), never as HTML. With credentials configured the service wants the
// developer token: opened as /dashboard#token=<REDSQS_DEV_TOKEN> (a fragment never reaches the
// server, its logs or a Referer), or pasted into the form the page shows, it is kept in this tab's
// sessionStorage, taken out of the address bar, and sent as `Authorization: Bearer` on every call.

const POLL_MS = 2000;
const AMZ_JSON = 'application/x-amz-json-1.0';

/** @type {(id: string) => any} */
const byId = (id) => document.getElementById(id);

/**
 * A new element; string children become text nodes.
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string | null | undefined)} children
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// ------------------------------------------------------------------ the developer token

const TOKEN_KEY = 'redsqs.devToken';

/** #token=… moves into sessionStorage; the rest of the fragment (#queue=…) stays. */
function takeTokenFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token === null) return;
  if (token !== '') sessionStorage.setItem(TOKEN_KEY, token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', rest === '' ? location.pathname + location.search : `#${rest}`);
}
takeTokenFromHash();

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// ------------------------------------------------------------------ talking to the service

class SqsCallError extends Error {}
/** The service wants the developer token (401): the page asks for it. */
class NeedsToken extends Error {}

function checkAuthorized(res, what, data) {
  if (res.status !== 401) return;
  throw new NeedsToken(`${what}: ${data?.error ?? 'the service needs the developer token (REDSQS_DEV_TOKEN)'}`);
}

/** One SQS action over AWS JSON 1.0, unsigned: the service's dashboard route runs it as its account. */
async function sqs(action, input = {}) {
  const res = await fetch('/_redsqs/sqs', {
    method: 'POST',
    headers: { 'Content-Type': AMZ_JSON, 'X-Amz-Target': `AmazonSQS.${action}`, ...authHeaders() },
    body: JSON.stringify(input),
  });
  const text = await res.text();
  let data = {};
  try {
    data = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new SqsCallError(`${action}: HTTP ${res.status}`);
  }
  checkAuthorized(res, action, data);
  if (!res.ok) {
    const code = String(data.__type ?? `HTTP ${res.status}`)
      .split('#')
      .pop();
    throw new SqsCallError(`${action}: ${code}: ${data.message ?? ''}`);
  }
  return data;
}

/** A developer route (JSON); its error is thrown with the route's words. */
async function dev(what, path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...init.headers, ...authHeaders() } });
  const data = await res.json().catch(() => ({}));
  checkAuthorized(res, what, data);
  if (!res.ok) {
    const code = String(data.__type ?? `HTTP ${res.status}`)
      .split('#')
      .pop();
    const message = data.message ?? data.error;
    throw new SqsCallError(`${what}: ${code}${message ? `: ${message}` : ''}`);
  }
  return data;
}

/**
 * A queue's messages without receiving them (in flight and delayed ones too), each with its state
 * and, for in-flight and delayed ones, when it becomes visible (`visibleAt`, the service's clock).
 */
function peek(queueUrl) {
  return dev('peek', `/_redsqs/messages?QueueUrl=${encodeURIComponent(queueUrl)}`);
}

// ------------------------------------------------------------------ state

/**
 * Queues by URL, as /_redsqs/queues lists them.
 * @type {Map<string, {url: string, name: string, account: string, arn: string, fifo: boolean, local: boolean, attrs: Record<string, string>, visible: number, delayed: number, inFlight: number, age: number | null, dlq: {name: string, url: string, max: number} | null, sources: {name: string, url: string}[]}>}
 */
let queues = new Map();
/** The account this instance serves: the SQS API answers for its queues only. */
let servedAccount = '';
/** Accounts with a queue: the account column shows only when there is more than one. */
let accountCount = 1;
let selected = selectedFromHash();
let lastMessages = '';

function selectedFromHash() {
  return new URLSearchParams(location.hash.slice(1)).get('queue') || null;
}

const nameOfArn = (arn) => arn.split(':').pop() ?? arn;

/** The service's time at the last read of the queues (ms); null before the first. */
let serviceNow = null;

/** Every queue of every account, with counts and ages read by the service at its own clock. */
async function loadQueues() {
  const data = await dev('queues', '/_redsqs/queues');
  serviceNow = data.now;
  servedAccount = data.account;
  accountCount = data.accounts.length;
  const next = new Map();
  for (const q of data.queues) {
    next.set(q.url, {
      url: q.url,
      name: q.name,
      account: q.account,
      arn: q.arn,
      fifo: q.fifo,
      local: q.account === servedAccount,
      attrs: q.attributes,
      visible: q.visible,
      delayed: q.delayed,
      inFlight: q.inFlight,
      age: q.ageOfOldestSeconds,
      dlq: q.deadLetterQueue
        ? { name: q.deadLetterQueue.name, url: q.deadLetterQueue.url, max: q.deadLetterQueue.maxReceiveCount }
        : null,
      sources: q.sources,
    });
  }
  queues = next;
}

/** A duration in seconds as a person reads it: 42 s, 3 min 5 s, 2 h 10 min, 3 d 4 h. */
function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

// ------------------------------------------------------------------ the queue list

/** @type {Map<string, HTMLTableRowElement>} */
const rows = new Map();

function renderQueues() {
  const tbody = byId('queues').tBodies[0];
  const key = (q) => `${q.local ? 0 : 1}${q.account}/${q.name}`;
  const sorted = [...queues.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  byId('queues').classList.toggle('one-account', accountCount <= 1);
  for (const [url, row] of rows) {
    if (!queues.has(url)) {
      row.remove();
      rows.delete(url);
    }
  }
  // Rows are kept and updated in place, so a focused button keeps its focus across refreshes.
  sorted.forEach((q, i) => {
    let row = rows.get(q.url);
    if (!row) {
      const open = el('button', { type: 'button', class: 'link' }, q.name);
      open.addEventListener('click', () => select(q.url));
      row = el('tr', { 'data-queue': q.name, 'data-account': q.account });
      row.append(
        el('th', { scope: 'row' }, open),
        el('td', { class: 'account mono' }),
        el('td', { class: 'type' }),
        el('td', { class: 'num ready' }),
        el('td', { class: 'num delayed' }),
        el('td', { class: 'num inflight' }),
        el('td', { class: 'num oldest' }),
        el('td', { class: 'dlq' }),
        el('td', { class: 'sources' }),
      );
      rows.set(q.url, row);
    }
    if (tbody.rows[i] !== row) tbody.insertBefore(row, tbody.rows[i] ?? null);
    const cell = (cls) => row.querySelector(`.${cls}`);
    cell('account').textContent = q.account;
    cell('type').textContent = q.fifo ? 'FIFO' : 'standard';
    cell('ready').textContent = String(q.visible);
    cell('delayed').textContent = String(q.delayed);
    cell('inflight').textContent = String(q.inFlight);
    cell('oldest').textContent = q.age === null ? '' : duration(q.age);
    cell('oldest').title = q.age === null ? 'no messages' : `${q.age} s, on the service's clock`;
    cell('dlq').textContent = q.dlq ? `${q.dlq.name} (after ${q.dlq.max} receives)` : '';
    cell('sources').textContent = q.sources.map((x) => x.name).join(', ');
    row.classList.toggle('selected', q.url === selected);
    const button = row.querySelector('button');
    if (q.url === selected) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  });
  byId('no-queues').hidden = queues.size > 0;
  fillQueueSelect(
    byId('create-form').elements.dlq,
    'none',
    (q) => q.arn,
    (q) => !q.local,
  );
}

/** Refills a <select> of queues (by ARN), keeping its choice; the first option is `none`. */
function fillQueueSelect(select, none, value, skip) {
  const keep = select.value;
  const options = [el('option', { value: '' }, none)];
  const local = [...queues.values()].filter((q) => q.local);
  for (const q of local.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (skip?.(q)) continue;
    options.push(el('option', { value: value(q) }, q.name));
  }
  const same =
    select.options.length === options.length &&
    options.every((o, i) => select.options[i].value === o.value && select.options[i].textContent === o.textContent);
  if (same) return;
  select.replaceChildren(...options);
  select.value = [...select.options].some((o) => o.value === keep) ? keep : '';
}

// ------------------------------------------------------------------ one queue

function select(url) {
  selected = url;
  lastMessages = '';
  history.replaceState(null, '', url ? `#queue=${encodeURIComponent(url)}` : location.pathname);
  renderQueues();
  refreshNow();
  if (url) byId('detail-heading').scrollIntoView?.({ block: 'nearest' });
}

function pairs(dl, entries) {
  dl.replaceChildren(...entries.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function pretty(body) {
  const t = body.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(t), null, 2);
    } catch {
      // not JSON after all: shown as it is
    }
  }
  return body;
}

const STATES = { available: 'available', inflight: 'in flight', delayed: 'delayed' };

const when = (ms) => (ms ? new Date(Number(ms)).toLocaleString() : '');

/** "visible in 25 s (at 10:42:07)": `now` is the service's clock, as visibleAt is. */
function visibleText(at, now) {
  return `visible in ${duration((at - now) / 1000)} (at ${new Date(at).toLocaleTimeString()})`;
}

function renderMessage(m, q, now) {
  const a = m.Attributes ?? {};
  const state = STATES[m.state] ?? m.state;
  const remove = el(
    'button',
    { type: 'button', class: 'delete-message danger', 'aria-label': `Delete message ${m.MessageId}` },
    'Delete…',
  );
  remove.addEventListener('click', () => deleteMessage(q, m.MessageId));
  const facts = [
    el('span', { class: `badge state-${m.state}` }, state),
    el('span', { class: 'mono' }, m.MessageId ?? ''),
    el('span', { class: 'receives' }, `received ${a.ApproximateReceiveCount ?? '0'}×`),
    el('span', {}, `sent ${when(a.SentTimestamp)}`),
  ];
  if (m.visibleAt !== null && m.visibleAt !== undefined) {
    facts.push(el('span', { class: 'visible-at', 'data-at': String(m.visibleAt) }, visibleText(m.visibleAt, now)));
  }
  if (m.groupLocked) facts.push(el('span', { class: 'held' }, 'group held by a message in flight'));
  const fifo = q.fifo;
  if (fifo) {
    facts.push(el('span', {}, `group ${a.MessageGroupId ?? ''}`), el('span', {}, `seq ${a.SequenceNumber ?? ''}`));
    if (a.MessageDeduplicationId) facts.push(el('span', {}, `dedup ${a.MessageDeduplicationId}`));
  }
  const attrs = Object.entries(m.MessageAttributes ?? {}).map(([name, v]) => [
    `${name} (${v.DataType})`,
    v.StringValue ?? (v.BinaryValue !== undefined ? `${v.BinaryValue} (binary, base64)` : ''),
  ]);
  const attrList = el('dl', { class: 'pairs' });
  pairs(attrList, attrs);
  const sysList = el('dl', { class: 'pairs' });
  pairs(
    sysList,
    Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1)),
  );
  return el(
    'li',
    { class: 'message', 'data-message-id': m.MessageId ?? '' },
    el('div', { class: 'facts' }, ...facts, remove),
    el('pre', { class: 'body' }, pretty(m.Body ?? '')),
    attrs.length > 0 ? el('div', {}, el('h4', {}, 'Message attributes'), attrList) : null,
    el('details', {}, el('summary', {}, 'System attributes'), sysList),
  );
}

async function refreshDetail() {
  const section = byId('detail');
  const q = selected ? queues.get(selected) : undefined;
  if (!q) {
    section.hidden = true;
    return;
  }
  // The SQS API answers for this instance's account only; another account's queue is read here
  // through the developer routes (peek, delete a message) and steered through its own instance.
  const [peeked, tags, tasks] = await Promise.all([
    peek(q.url),
    q.local ? sqs('ListQueueTags', { QueueUrl: q.url }).then((r) => r.Tags ?? {}) : Promise.resolve(null),
    q.local && q.sources.length > 0
      ? sqs('ListMessageMoveTasks', { SourceArn: q.arn, MaxResults: 10 }).then((r) => r.Results ?? [])
      : Promise.resolve([]),
  ]);
  if (selected !== q.url) return;
  section.hidden = false;
  byId('detail-name').textContent = q.name;
  byId('detail-type').textContent = q.fifo ? 'FIFO' : 'standard';
  byId('detail-url').textContent = q.url;
  for (const node of section.querySelectorAll('.fifo-only')) node.hidden = !q.fifo;
  for (const node of section.querySelectorAll('.standard-only')) node.hidden = q.fifo;
  for (const node of section.querySelectorAll('.local-only')) node.hidden = !q.local;
  byId('remote-note').hidden = q.local;
  byId('remote-note').textContent = q.local
    ? ''
    : `Account ${q.account} is not this instance's (REDSQS_ACCOUNT_ID): here its messages can be peeked and deleted; ` +
      'send, purge, redrive and tags are for that account to do (with its access key, or on an instance of that account).';
  pairs(
    byId('attributes'),
    Object.entries(q.attrs).sort(([x], [y]) => (x < y ? -1 : 1)),
  );
  const tagEntries = Object.entries(tags ?? {});
  pairs(byId('tags'), tagEntries.length > 0 ? tagEntries : [['', tags === null ? 'not read' : 'none']]);

  const isDlq = q.sources.length > 0;
  byId('redrive-none').hidden = isDlq;
  byId('redrive-form').hidden = !isDlq || !q.local;
  fillQueueSelect(
    byId('redrive-form').elements.destination,
    `its sources (${q.sources.map((x) => x.name).join(', ')})`,
    (x) => x.arn,
    (x) => x.url === q.url,
  );
  renderTasks(tasks);

  // Rendered again only when a message changed, so a focused Delete button keeps its focus.
  const fingerprint = JSON.stringify([peeked.messages, peeked.truncated, q.fifo, q.local]);
  if (fingerprint !== lastMessages) {
    lastMessages = fingerprint;
    byId('messages').replaceChildren(...peeked.messages.map((m) => renderMessage(m, q, peeked.now)));
  }
  for (const node of byId('messages').querySelectorAll('.visible-at')) {
    node.textContent = visibleText(Number(node.dataset.at), peeked.now);
  }
  byId('messages-count').textContent =
    `(${peeked.messages.length}${peeked.truncated ? '+, the first ones' : ''}` +
    `${q.age !== null ? `; oldest sent ${duration(q.age)} ago` : ''})`;
}

async function deleteMessage(q, id) {
  if (!confirm(`Delete message ${id} of ${q.name}? This cannot be undone.`)) return;
  await run(async () => {
    await dev('delete', `/_redsqs/messages/${encodeURIComponent(id)}?QueueUrl=${encodeURIComponent(q.url)}`, {
      method: 'DELETE',
    });
    return `Deleted message ${id} of ${q.name}.`;
  });
}

// ------------------------------------------------------------------ the pollers

let lastPollers = '';

async function refreshPollers() {
  const { pollers } = await dev('pollers', '/_redsqs/pollers');
  const fingerprint = JSON.stringify(pollers);
  if (fingerprint === lastPollers) return;
  lastPollers = fingerprint;
  byId('no-pollers').hidden = pollers.length > 0;
  byId('pollers').hidden = pollers.length === 0;
  byId('pollers').tBodies[0].replaceChildren(
    ...pollers.map((p) => {
      const last = p.lastInvocation;
      const window = p.windowSeconds > 0 ? `, window ${p.windowSeconds} s` : '';
      return el(
        'tr',
        { class: 'poller', 'data-function': p.function, 'data-queue': p.queue },
        el('th', { scope: 'row' }, p.function),
        el('td', {}, p.queue),
        el('td', { class: 'num' }, `${p.batchSize}${window}`),
        el('td', { class: 'num' }, String(p.concurrency)),
        el('td', { class: 'num invocations' }, String(p.invocations)),
        el('td', { class: 'num ok' }, String(p.ok)),
        el('td', { class: 'num partial' }, String(p.partial)),
        el('td', { class: 'num failed' }, String(p.failed)),
        el('td', { class: 'num records' }, String(p.records)),
        el(
          'td',
          { class: 'last' },
          last ? `${when(last.at)}: ${last.outcome}, ${last.records} records in ${last.durationMs} ms` : '',
        ),
        el('td', { class: 'last-error' }, p.lastError ? `${p.lastError.message} (${when(p.lastError.at)})` : ''),
      );
    }),
  );
}

function renderTasks(tasks) {
  const table = byId('tasks');
  table.hidden = tasks.length === 0;
  table.tBodies[0].replaceChildren(
    ...tasks.map((t) => {
      let action = null;
      if (t.Status === 'RUNNING' && t.TaskHandle) {
        action = el('button', { type: 'button' }, 'Cancel');
        action.addEventListener('click', () =>
          run(async () => {
            await sqs('CancelMessageMoveTask', { TaskHandle: t.TaskHandle });
            return 'Move task cancelled.';
          }),
        );
      }
      return el(
        'tr',
        { class: 'task' },
        el('td', { class: 'status' }, `${t.Status ?? ''}${t.FailureReason ? `: ${t.FailureReason}` : ''}`),
        el('td', {}, t.DestinationArn ? nameOfArn(t.DestinationArn) : 'sources'),
        el('td', { class: 'num moved' }, String(t.ApproximateNumberOfMessagesMoved ?? '')),
        el('td', { class: 'num' }, String(t.ApproximateNumberOfMessagesToMove ?? '')),
        el('td', {}, when(t.StartedTimestamp)),
        el('td', {}, action),
      );
    }),
  );
}

// ------------------------------------------------------------------ polling

let timer = 0;
let running = null;
let again = false;

async function refresh() {
  await Promise.all([
    (async () => {
      await loadQueues();
      renderQueues();
      await refreshDetail();
    })(),
    refreshPollers(),
  ]);
}

/** Refreshes now (or right after the refresh under way), then every POLL_MS. */
function refreshNow() {
  if (running) {
    again = true;
    return running;
  }
  clearTimeout(timer);
  running = refresh()
    .then(
      () => {
        byId('token-form').hidden = true;
        // The service's clock, as every other time on the page (a test may have moved it).
        const at = serviceNow === null ? new Date() : new Date(serviceNow);
        byId('live').textContent = `live · updated ${at.toLocaleTimeString()} (service clock)`;
        byId('live').classList.remove('down');
      },
      (err) => {
        const needsToken = err instanceof NeedsToken;
        byId('token-form').hidden = !needsToken;
        byId('live').textContent = needsToken
          ? 'this service needs the developer token'
          : `cannot reach the service: ${err.message}`;
        byId('live').classList.add('down');
      },
    )
    .finally(() => {
      running = null;
      if (again) {
        again = false;
        refreshNow();
      } else timer = setTimeout(refreshNow, POLL_MS);
    });
  return running;
}

// ------------------------------------------------------------------ actions

/** Runs an action: its message (or error) is announced, and the page refreshes. */
async function run(action) {
  byId('error').textContent = '';
  try {
    const message = await action();
    if (message) byId('notice').textContent = message;
  } catch (err) {
    byId('notice').textContent = '';
    byId('error').textContent = err instanceof Error ? err.message : String(err);
  }
  await refreshNow();
}

function parseAttributes(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`Message attribute "${line.trim()}": write name=value or name:Type=value.`);
    const [name, type = 'String'] = line.slice(0, eq).trim().split(':');
    const value = line.slice(eq + 1);
    out[name.trim()] = type.trim().startsWith('Binary')
      ? { DataType: type.trim(), BinaryValue: btoa(value) }
      : { DataType: type.trim(), StringValue: value };
  }
  return out;
}

byId('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const q = queues.get(selected);
  if (!q) return;
  run(async () => {
    const f = form.elements;
    const input = { QueueUrl: q.url, MessageBody: f.body.value };
    const attrs = parseAttributes(f.attributes.value);
    if (Object.keys(attrs).length > 0) input.MessageAttributes = attrs;
    if (q.fifo) {
      if (f.group.value) input.MessageGroupId = f.group.value;
      if (f.dedupId.value) input.MessageDeduplicationId = f.dedupId.value;
    } else if (f.delay.value !== '') input.DelaySeconds = Number(f.delay.value);
    const r = await sqs('SendMessage', input);
    f.body.value = '';
    f.dedupId.value = '';
    return `Sent message ${r.MessageId} to ${q.name}.`;
  });
});

byId('purge').addEventListener('click', () => {
  const q = queues.get(selected);
  if (!q || !confirm(`Purge every message of ${q.name}? This cannot be undone.`)) return;
  run(async () => {
    await sqs('PurgeQueue', { QueueUrl: q.url });
    return `Purged ${q.name}.`;
  });
});

byId('delete-queue').addEventListener('click', () => {
  const q = queues.get(selected);
  if (!q || !confirm(`Delete the queue ${q.name} and its messages? This cannot be undone.`)) return;
  run(async () => {
    await sqs('DeleteQueue', { QueueUrl: q.url });
    select(null);
    return `Deleted ${q.name}.`;
  });
});

byId('close-detail').addEventListener('click', () => {
  const row = rows.get(selected);
  select(null);
  row?.querySelector('button')?.focus();
});

byId('redrive-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const f = event.target.elements;
  const q = queues.get(selected);
  if (!q) return;
  run(async () => {
    const input = { SourceArn: q.arn };
    if (f.destination.value) input.DestinationArn = f.destination.value;
    if (f.rate.value !== '') input.MaxNumberOfMessagesPerSecond = Number(f.rate.value);
    await sqs('StartMessageMoveTask', input);
    const to = f.destination.value ? nameOfArn(f.destination.value) : 'its sources';
    return `Started moving the messages of ${q.name} to ${to}.`;
  });
});

byId('create-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const f = form.elements;
  run(async () => {
    let name = f.name.value.trim();
    const attributes = {};
    if (f.fifo.checked) {
      if (!name.endsWith('.fifo')) name += '.fifo';
      attributes.FifoQueue = 'true';
      if (f.dedup.checked) attributes.ContentBasedDeduplication = 'true';
    }
    if (f.dlq.value) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: f.dlq.value,
        maxReceiveCount: Number(f.maxReceiveCount.value || 3),
      });
    }
    const r = await sqs('CreateQueue', { QueueName: name, Attributes: attributes });
    form.reset();
    select(r.QueueUrl);
    return `Created ${name}.`;
  });
});

byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const field = event.target.elements.token;
  if (field.value.trim() !== '') sessionStorage.setItem(TOKEN_KEY, field.value.trim());
  field.value = '';
  refreshNow();
});

window.addEventListener('hashchange', () => {
  takeTokenFromHash();
  select(selectedFromHash());
});

refreshNow();
