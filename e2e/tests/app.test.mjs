// The app in a real browser: loading, the terminal, the timeline, undo and share links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openApp(url) {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open(url);
  return app;
}

test('the page loads with no console errors', async () => {
  const app = await openApp();
  assert.equal(await app.clockText(), '2022-06-12T00:00:00Z');
  await screenshot(app.page, '01-loaded');
  assert.deepEqual(app.page.errors, []);
});

test('typing sim advance 1m moves the clock to 00:01:00', async () => {
  const app = await openApp();
  const block = await app.type('sim advance 1m');
  assert.equal(await block.getAttribute('data-ok'), 'true');
  assert.equal(await app.clockText(), '2022-06-12T00:01:00Z');
  await screenshot(app.page, '02-advanced');
  assert.deepEqual(app.page.errors, []);
});

test('bad input is shown as an error and changes nothing', async () => {
  const app = await openApp();
  const hash = await app.hash();
  const block = await app.type('sim advance -5m');
  assert.equal(await block.getAttribute('data-ok'), 'false');
  assert.match(await block.textContent(), /negative: simulated time only moves forward/);
  assert.equal(await app.clockText(), '2022-06-12T00:00:00Z');
  assert.equal(await app.hash(), hash);
  await screenshot(app.page, '03-error');
});

test('a here-document typed over several lines runs as one command', async () => {
  const app = await openApp();
  await app.input.fill('cat <<EOF');
  await app.input.press('Enter');
  await app.input.pressSequentially('hello heredoc');
  await app.input.press('Enter');
  await app.input.pressSequentially('EOF');
  await app.input.press('Enter');
  await app.blocks.first().waitFor();
  assert.match(await app.blocks.first().textContent(), /hello heredoc\n$/);
});

test('arrow up recalls the previous command', async () => {
  const app = await openApp();
  await app.type('sim time');
  await app.input.press('ArrowUp');
  assert.equal(await app.input.inputValue(), 'sim time');
});

test('play moves the clock and pause stops it', async () => {
  const app = await openApp();
  await app.speed.selectOption('1000');
  await app.play.click();
  await app.page.waitForFunction(
    () => document.querySelector('[data-testid=clock]').textContent.trim() !== '2022-06-12T00:00:00Z',
  );
  await app.play.click();
  await screenshot(app.page, '04-paused');
  const paused = await app.clockText();
  await app.page.waitForTimeout(400);
  assert.equal(await app.clockText(), paused, 'the clock must stay put while paused');
  assert.notEqual(paused, '2022-06-12T00:00:00Z');
});

test('step fires the next event and undo restores the clock and trace', async () => {
  const app = await openApp();
  await app.type('sim after 30s echo tick');
  const hashBefore = await app.hash();
  const rowsBefore = await app.traceRows.count();
  await app.step.click();
  await app.page.waitForFunction(
    () => document.querySelector('[data-testid=clock]').textContent.trim() === '2022-06-12T00:00:30Z',
  );
  assert.notEqual(await app.hash(), hashBefore);
  await screenshot(app.page, '05-stepped');
  await app.undo.click();
  await app.page.waitForFunction(
    () => document.querySelector('[data-testid=clock]').textContent.trim() === '2022-06-12T00:00:00Z',
  );
  assert.equal(await app.hash(), hashBefore);
  assert.equal(await app.traceRows.count(), rowsBefore);
  await screenshot(app.page, '06-undone');
});

test('a copied URL opened in a new page reproduces the same trace', async () => {
  const app = await openApp();
  await app.type('sim seed 11');
  await app.type('sim after 45s echo "shared event"');
  await app.speed.selectOption('1000');
  await app.play.click();
  await app.page.waitForTimeout(300);
  await app.play.click();
  await app.type('sim advance 2m');
  const url = app.page.url();
  assert.match(url, /#s=/);
  const hash = await app.hash();
  const clock = await app.clockText();

  const copy = await openApp(url);
  assert.equal(await copy.hash(), hash);
  assert.equal(await copy.clockText(), clock);
  await screenshot(copy.page, '07-shared-copy');
  assert.deepEqual(copy.page.errors, []);
});
