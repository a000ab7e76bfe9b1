// The redsqs dashboard, in the browser: no build step, no library. It talks to the service it was
// served by with the SQS API (AWS JSON 1.0, POST /) and the peek endpoint (/_aws/sqs/messages),
// polls every two seconds, and puts text into the page only as text (textContent, text nodes),
// never as HTML.

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

// ------------------------------------------------------------------ talking to the service

class SqsCallError extends Error {}

/** One SQS action over AWS JSON 1.0; no signing: redsqs does not check signatures. */
async function sqs(action, input = {}) {
  const res = await fetch('/', {
    method: 'POST',
    headers: { 'Content-Type': AMZ_JSON, 'X-Amz-Target': `AmazonSQS.${action}` },
    body: JSON.stringify(input),
  });
  const text = await res.text();
  let data = {};
  try {
    data = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new SqsCallError(`${action}: HTTP ${res.status}`);
  }
  if (!res.ok) {
    const code = String(data.__type ?? `HTTP ${res.status}`)
      .split('#')
      .pop();
    throw new SqsCallError(`${action}: ${code}: ${data.message ?? ''}`);
  }
  return data;
}

/**
 * A queue's messages without receiving them: the peek endpoint, asked in AWS JSON (the answer is
 * a ReceiveMessage result), in-flight and delayed messages included.
 */
async function peek(queueUrl) {
  const res = await fetch('/_aws/sqs/messages?ShowInvisible=true&ShowDelayed=true', {
    method: 'POST',
    headers: { 'Content-Type': AMZ_JSON, Accept: 'application/json' },
    body: JSON.stringify({ QueueUrl: queueUrl }),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok)
    throw new SqsCallError(
      `peek: ${String(data.__type ?? res.status)
        .split('#')
        .pop()}`,
    );
  return { messages: data.Messages ?? [], truncated: res.headers.get('x-redsqs-truncated') === 'true' };
}

async function listAll(action, input, key) {
  const out = [];
  let token;
  do {
    const page = await sqs(action, { ...input, MaxResults: 1000, ...(token ? { NextToken: token } : {}) });
    out.push(...(page[key] ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

// ------------------------------------------------------------------ state

/** @type {Map<string, {url: string, name: string, arn: string, fifo: boolean, attrs: Record<string, string>, dlq: {arn: string, max: string} | null, sources: string[]}>} */
let queues = new Map();
let selected = selectedFromHash();
let lastMessages = '';

function selectedFromHash() {
  const m = /^#queue=(.+)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

const nameOfUrl = (url) => decodeURIComponent(url.split('/').pop() ?? url);
const nameOfArn = (arn) => arn.split(':').pop() ?? arn;

function redrivePolicy(attrs) {
  if (!attrs.RedrivePolicy) return null;
  try {
    const p = JSON.parse(attrs.RedrivePolicy);
    return { arn: String(p.deadLetterTargetArn), max: String(p.maxReceiveCount) };
  } catch {
    return null;
  }
}

async function loadQueues() {
  const urls = await listAll('ListQueues', {}, 'QueueUrls');
  const loaded = await Promise.all(
    urls.map((url) =>
      // A queue deleted between the two calls is left out.
      sqs('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] }).then(
        (r) => ({ url, attrs: r.Attributes ?? {} }),
        () => null,
      ),
    ),
  );
  const next = new Map();
  for (const q of loaded) {
    if (!q) continue;
    next.set(q.url, {
      url: q.url,
      name: nameOfUrl(q.url),
      arn: q.attrs.QueueArn ?? '',
      fifo: q.attrs.FifoQueue === 'true',
      attrs: q.attrs,
      dlq: redrivePolicy(q.attrs),
      sources: [],
    });
  }
  // The sources of each queue that some queue names as its dead-letter queue.
  const targets = new Set([...next.values()].map((q) => q.dlq?.arn).filter(Boolean));
  await Promise.all(
    [...next.values()]
      .filter((q) => targets.has(q.arn))
      .map(async (q) => {
        q.sources = await listAll('ListDeadLetterSourceQueues', { QueueUrl: q.url }, 'queueUrls').catch(() => []);
      }),
  );
  queues = next;
}

// ------------------------------------------------------------------ the queue list

/** @type {Map<string, HTMLTableRowElement>} */
const rows = new Map();

function renderQueues() {
  const tbody = byId('queues').tBodies[0];
  const sorted = [...queues.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
      row = el('tr', { 'data-queue': q.name });
      row.append(
        el('th', { scope: 'row' }, open),
        el('td', { class: 'type' }),
        el('td', { class: 'num ready' }),
        el('td', { class: 'num delayed' }),
        el('td', { class: 'num inflight' }),
        el('td', { class: 'dlq' }),
        el('td', { class: 'sources' }),
      );
      rows.set(q.url, row);
    }
    if (tbody.rows[i] !== row) tbody.insertBefore(row, tbody.rows[i] ?? null);
    const cell = (cls) => row.querySelector(`.${cls}`);
    cell('type').textContent = q.fifo ? 'FIFO' : 'standard';
    cell('ready').textContent = q.attrs.ApproximateNumberOfMessages ?? '';
    cell('delayed').textContent = q.attrs.ApproximateNumberOfMessagesDelayed ?? '';
    cell('inflight').textContent = q.attrs.ApproximateNumberOfMessagesNotVisible ?? '';
    cell('dlq').textContent = q.dlq ? `${nameOfArn(q.dlq.arn)} (after ${q.dlq.max} receives)` : '';
    cell('sources').textContent = q.sources.map(nameOfUrl).sort().join(', ');
    row.classList.toggle('selected', q.url === selected);
    const button = row.querySelector('button');
    if (q.url === selected) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  });
  byId('no-queues').hidden = queues.size > 0;
  fillQueueSelect(byId('create-form').elements.dlq, 'none', (q) => q.arn);
}

/** Refills a <select> of queues (by ARN), keeping its choice; the first option is `none`. */
function fillQueueSelect(select, none, value, skip) {
  const keep = select.value;
  const options = [el('option', { value: '' }, none)];
  for (const q of [...queues.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
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

function stateOf(m) {
  const a = m.Attributes ?? {};
  if (a.IsDelayed === 'true') return 'delayed';
  if (a.IsVisible === 'false') return 'in flight';
  return 'available';
}

const when = (ms) => (ms ? new Date(Number(ms)).toLocaleString() : '');

function renderMessage(m, fifo) {
  const a = m.Attributes ?? {};
  const state = stateOf(m);
  const facts = [
    el('span', { class: `badge state-${state.replace(' ', '-')}` }, state),
    el('span', { class: 'mono' }, m.MessageId ?? ''),
    el('span', { class: 'receives' }, `received ${a.ApproximateReceiveCount ?? '0'}×`),
    el('span', {}, `sent ${when(a.SentTimestamp)}`),
  ];
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
    el('div', { class: 'facts' }, ...facts),
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
  const [peeked, tags, tasks] = await Promise.all([
    peek(q.url),
    sqs('ListQueueTags', { QueueUrl: q.url }).then((r) => r.Tags ?? {}),
    q.sources.length > 0
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
  pairs(
    byId('attributes'),
    Object.entries(q.attrs).sort(([x], [y]) => (x < y ? -1 : 1)),
  );
  const tagEntries = Object.entries(tags);
  pairs(byId('tags'), tagEntries.length > 0 ? tagEntries : [['', 'none']]);

  const isDlq = q.sources.length > 0;
  byId('redrive-none').hidden = isDlq;
  byId('redrive-form').hidden = !isDlq;
  fillQueueSelect(
    byId('redrive-form').elements.destination,
    `its sources (${q.sources.map(nameOfUrl).join(', ')})`,
    (x) => x.arn,
    (x) => x.url === q.url,
  );
  renderTasks(tasks);

  const fingerprint = JSON.stringify([peeked, q.fifo]);
  if (fingerprint !== lastMessages) {
    lastMessages = fingerprint;
    byId('messages').replaceChildren(...peeked.messages.map((m) => renderMessage(m, q.fifo)));
  }
  const sent = peeked.messages.map((m) => Number(m.Attributes?.SentTimestamp)).filter((n) => n > 0);
  const oldest = sent.length > 0 ? Math.round((Date.now() - Math.min(...sent)) / 1000) : null;
  byId('messages-count').textContent =
    `(${peeked.messages.length}${peeked.truncated ? '+, the first ones' : ''}` +
    `${oldest !== null ? `; oldest sent ${Math.max(0, oldest)} s ago` : ''})`;
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
  await loadQueues();
  renderQueues();
  await refreshDetail();
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
        byId('live').textContent = `live · updated ${new Date().toLocaleTimeString()}`;
        byId('live').classList.remove('down');
      },
      (err) => {
        byId('live').textContent = `cannot reach the service: ${err.message}`;
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

window.addEventListener('hashchange', () => select(selectedFromHash()));

refreshNow();
