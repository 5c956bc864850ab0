// Kafka in the browser: every examples/kafka-*.sh script runs in wasm with the same trace hash
// as the native CLI, and a consumer group works from the terminal (a background consumer,
// jobs, kafka-consumer-groups.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { BASE_URL, launch, newPage, screenshot } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';

const examples = new URL('../../examples/', import.meta.url);
const scripts = readdirSync(examples).filter((name) => /^kafka-.*\.sh$/.test(name)).sort();

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function nativeRun(script) {
  const bin = process.env.PLAYGROUND_BIN;
  assert.ok(bin, 'PLAYGROUND_BIN must point at the native playground binary (cargo xtask test sets it)');
  return execFileSync(bin, ['--seed', '1'], { input: `${script}\nsim trace --hash\n`, cwd: process.env.TMPDIR || '/tmp' }).toString();
}

test('there are Kafka example scripts to run', () => {
  assert.ok(scripts.length >= 3, scripts.join(', '));
});

for (const name of scripts) {
  test(`${name} typed into the browser terminal ends with the native trace hash`, async () => {
    const script = readFileSync(new URL(name, examples), 'utf8');
    const page = await newPage(browser);
    const app = new PlaygroundPage(page);
    await app.open();
    const blocks = await app.typeScript(script);
    assert.ok(blocks.length >= 8, `${name}: only ${blocks.length} commands ran`);
    for (const block of blocks) {
      assert.equal(await block.getAttribute('data-ok'), 'true', await block.textContent());
    }
    const hash = await app.type('sim trace --hash');
    const wasmHash = (await hash.textContent()).match(/sha256:[0-9a-f]{64}/)?.[0];
    const native = nativeRun(script);
    assert.equal(wasmHash, native.trim().split('\n').pop());
    if (name === 'kafka-groups.sh') {
      // The killed consumer's uncommitted records reach the other consumer again.
      const text = await page.getByTestId('terminal-output').textContent();
      assert.equal(text.split('alice\tpay').length - 1, 2, text);
    }
    assert.deepEqual(page.errors, []);
  });
}

test('a consumer group runs in the background of the browser terminal', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  const ok = async (line) => {
    const reply = await app.type(line);
    assert.equal(await reply.getAttribute('data-ok'), 'true', `${line}\n${await reply.textContent()}`);
    return reply.textContent();
  };
  await ok('kafka-topics.sh --bootstrap-server localhost:9092 --create --topic clicks --partitions 2 --replication-factor 3');
  assert.match(await ok('kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic clicks --group web --consumer-property client.id=reader &'), /&\s*\[1\] 4001/);
  assert.match(await ok('jobs'), /\[1\]\+\s+Running\s+kafka-console-consumer\.sh/);
  await ok('sim advance 4s');
  await ok('echo hello-from-the-browser | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic clicks');
  assert.match(await ok('sim advance 2s'), /hello-from-the-browser/);
  await ok('sim advance 5s');
  const describe = await ok('kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group web');
  assert.match(describe, /web\s+clicks\s+\d\s+1\s+1\s+0\s+reader-[0-9a-f-]{36}/);
  const panel = page.getByTestId('kafka-panel');
  assert.equal(await panel.getByTestId('broker').count(), 3);
  assert.equal(await panel.getByTestId('partition').count(), 2, 'the internal __consumer_offsets is not shown');
  const group = panel.locator('[data-testid="consumer-group"][data-group="web"]');
  assert.match(await group.textContent(), /Stable, generation 1, range.*lag 0/);
  assert.match(await group.getByTestId('member').textContent(), /reader → clicks-0, clicks-1/);
  // The same assignment as arrows: one per partition the consumer owns.
  const assignment = group.getByTestId('kafka-assignment');
  const arrows = await assignment.getByTestId('assignment-arrow').evaluateAll((gs) => gs.map((g) => g.dataset.partition));
  assert.deepEqual(arrows, ['clicks-0', 'clicks-1']);
  assert.match(await assignment.locator('svg').getAttribute('aria-label'), /1 consumer\(s\), 2 of 2 partition\(s\) assigned/);
  await screenshot(page, '51-kafka-assignment', assignment);
  // The panel's buttons type the same commands as the terminal.
  await panel.getByRole('button', { name: 'Crash broker 3' }).click();
  assert.match(await page.getByTestId('terminal-output').textContent(), /sim broker crash 3/);
  assert.match(await panel.locator('[data-broker="3"]').textContent(), /broker 3 crashed/);
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, '50-kafka-consumer-group');
  assert.match(await ok('kill %1'), /Processed a total of 1 messages/);
  // Producers: one row per client id, topic and settings; acks=1 is marked as at risk.
  await ok('echo fast | kafka-console-producer.sh --bootstrap-server localhost:9092 --topic clicks --producer-property acks=1');
  const producers = panel.getByTestId('producer');
  assert.deepEqual(
    await producers.evaluateAll((rows) => rows.map((r) => [r.dataset.client, r.dataset.acks])),
    [['console-producer', 'all'], ['console-producer', '1']],
  );
  assert.equal(await producers.nth(0).getByTestId('producer-acked').textContent(), '1');
  assert.match(await producers.nth(1).textContent(), /acks=1: acknowledged before every in-sync replica/);
  // The group is empty now; its button starts one more consumer for the topic it has offsets in.
  await group.getByRole('button', { name: 'Add a consumer to group web' }).click();
  assert.match(await page.getByTestId('terminal-output').textContent(),
    /kafka-console-consumer\.sh --bootstrap-server localhost:9092 --topic clicks --group web.* &/);
  assert.match(await ok('jobs'), /Running\s+kafka-console-consumer\.sh --bootstrap-server localhost:9092 --topic clicks --group web/);
  // Broker 3 crashed above; if it led the group's __consumer_offsets partition, the new member
  // waits for the controller to elect another coordinator, as a real consumer would.
  await ok('sim advance 15s');
  assert.match(await group.getByTestId('member').textContent(), /consumer-web-1 → clicks-0, clicks-1/);
  assert.deepEqual(page.errors, []);
});

test('two consumers in a group: an arrow from each to every partition it owns', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  for (const line of [
    'kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3',
    'kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group billing --consumer-property client.id=a &',
    'kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group billing --consumer-property client.id=b &',
    'sim advance 10s',
  ]) {
    const reply = await app.type(line);
    assert.equal(await reply.getAttribute('data-ok'), 'true', `${line}\n${await reply.textContent()}`);
  }
  const group = page.locator('[data-testid="consumer-group"][data-group="billing"]');
  const owned = [];
  for (const member of await group.getByTestId('member').all()) {
    const [, parts] = (await member.textContent()).match(/→ ([^k]*)kill$/);
    owned.push(...parts.split(', ').map((p) => p.trim()).filter((p) => p.startsWith('orders-')));
  }
  assert.equal(owned.length, 3, owned.join(' '));
  const assignment = group.getByTestId('kafka-assignment');
  const arrows = assignment.getByTestId('assignment-arrow');
  assert.equal(await arrows.count(), owned.length);
  const drawn = await arrows.evaluateAll((gs) => gs.map((g) => g.dataset.partition));
  assert.deepEqual(drawn.sort(), owned.sort());
  assert.equal(await assignment.getByTestId('unassigned').count(), 0);
  await assignment.scrollIntoViewIfNeeded();
  await screenshot(page, '52-kafka-assignment-two', assignment);
  await page.getByTestId('theme-toggle').click();
  await screenshot(page, '53-kafka-assignment-two-dark', assignment);
  assert.deepEqual(page.errors, []);
});
