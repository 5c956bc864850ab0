// Accessibility: axe-core over the app with every panel showing something, over a lesson in both
// languages and over the dark theme: no serious or critical violations. And the main controls are
// reachable by keyboard alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { BASE_URL, launch, newPage } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** axe's serious and critical violations on the page, as readable lines. */
async function seriousViolations(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join(', ')})`);
}

/** A world where every service panel has content: the course's pipeline (buckets, objects,
 * functions, rules, invocations), an event-pattern rule (the fan-out drawing) and a Kafka
 * cluster with a topic and a consumer group (the assignment drawing). */
const BUSY_WORLD = `${readFileSync(new URL('../../examples/pipeline-hour.sh', import.meta.url), 'utf8')}
aws events put-rule --name uploads --event-pattern '{"source": ["aws.s3"]}'
aws events put-targets --rule uploads --targets Id=compact,Arn=arn:aws:lambda:us-east-1:123456789012:function:log-compactor
sim kafka create-cluster --brokers 3 --mode kraft
kafka-topics.sh --bootstrap-server localhost:9092 --create --topic clicks --partitions 3 --replication-factor 3
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic clicks --group web &
sim advance 5s
`;

test('every panel, a lesson in English and Korean, and the dark theme: no serious or critical axe violations', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open(new URL('?lesson=kafka-acks&lang=en', BASE_URL).href);
  await app.typeScript(BUSY_WORLD);
  await page.getByTestId('eventbridge-fanout').waitFor();
  await page.getByTestId('kafka-assignment').waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'light theme, English lesson');

  await app.open(new URL('?lesson=serverless-log-pipeline&lang=ko', BASE_URL).href);
  await page.getByTestId('lesson-title').waitFor();
  await page.getByTestId('theme-toggle').click();
  assert.deepEqual(await seriousViolations(page), [], 'dark theme, Korean lesson');
  assert.deepEqual(page.errors, []);
});

test('the main controls are reachable with Tab and the terminal runs a command from the keyboard', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  const reached = new Set();
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    if (id) reached.add(id);
    if (id === 'terminal-input') break;
  }
  for (const id of ['play', 'step', 'undo', 'speed', 'share', 'theme-toggle', 'terminal-input']) {
    assert.ok(reached.has(id), `${id} is not reachable with Tab (reached: ${[...reached].join(', ')})`);
  }
  await page.keyboard.type('sim advance 1m');
  await page.keyboard.press('Enter');
  await page.getByText('2022-06-12T00:01:00Z').first().waitFor();
  assert.equal(await app.clockText(), '2022-06-12T00:01:00Z');
});
