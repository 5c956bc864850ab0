// The app in a real browser: loading, the terminal, the timeline, undo and share links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot, BASE_URL } from '../pages/browser.mjs';
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
    () => document.querySelector('[data-testid=sim-clock]').textContent.trim() !== '2022-06-12T00:00:00Z',
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
    () => document.querySelector('[data-testid=sim-clock]').textContent.trim() === '2022-06-12T00:00:30Z',
  );
  assert.notEqual(await app.hash(), hashBefore);
  await screenshot(app.page, '05-stepped');
  await app.undo.click();
  await app.page.waitForFunction(
    () => document.querySelector('[data-testid=sim-clock]').textContent.trim() === '2022-06-12T00:00:00Z',
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

test('a saved scenario file opened in a new page rebuilds the same world', async () => {
  const app = await openApp();
  await app.type('sim seed 4');
  await app.type('aws s3 mb s3://scenario-bucket');
  await app.type('sim after 30s echo "from the scenario"');
  await app.type('sim advance 1m');
  const hash = await app.hash();
  const [download] = await Promise.all([
    app.page.waitForEvent('download'),
    app.page.getByTestId('save-scenario').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'pipeline-playground-scenario.json');
  const scenario = JSON.parse(await streamText(await download.createReadStream()));
  assert.equal(scenario.v, 1);
  assert.ok(scenario.log.includes('aws s3 mb s3://scenario-bucket'));

  const copy = await openApp();
  await copy.page.getByTestId('open-scenario').setInputFiles({
    name: 'scenario.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)),
  });
  await copy.page.getByText('Opened the scenario').waitFor();
  assert.equal(await copy.hash(), hash);
  assert.equal(await copy.clockText(), await app.clockText());

  // A file that is not a scenario is refused and the world stays as it was.
  await copy.page.getByTestId('open-scenario').setInputFiles({
    name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"v": 1, "seed": 1}'),
  });
  await copy.page.getByText('this scenario cannot be read: the start time is missing').waitFor();
  assert.equal(await copy.hash(), hash);
  assert.deepEqual(copy.page.errors, []);
});

test('a history too long for a link is saved as a scenario file instead', async () => {
  const app = await openApp();
  // Random bytes do not compress: an upload of 24 KB makes the link longer than 16,000 characters.
  let x = 2463534242;
  const noise = Buffer.from(Array.from({ length: 24_000 }, () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5; // xorshift32: fixed, incompressible bytes
    return x & 0xff;
  }));
  await app.page.getByTestId('upload').setInputFiles({ name: 'noise.bin', mimeType: 'application/octet-stream', buffer: noise });
  await app.page.getByText('uploaded ./noise.bin').waitFor();
  const [download] = await Promise.all([
    app.page.waitForEvent('download'),
    app.page.getByTestId('share').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'pipeline-playground-scenario.json');
  await app.page.getByText('too long for a link').waitFor();
  assert.deepEqual(app.page.errors, []);
});

test('the theme switch turns the dark theme on and remembers it', async () => {
  const app = await openApp();
  const html = app.page.locator('html');
  assert.equal(await html.getAttribute('data-theme'), 'light');
  const toggle = app.page.getByTestId('theme-toggle');
  await toggle.click();
  assert.equal(await html.getAttribute('data-theme'), 'dark');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await app.page.reload();
  await app.clock.waitFor();
  assert.equal(await html.getAttribute('data-theme'), 'dark');
  await screenshot(app.page, '08-dark-theme');
  assert.deepEqual(app.page.errors, []);
});

async function streamText(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

test('until the wasm arrives the page says it is loading, and says so plainly if it never does', async () => {
  const page = await newPage(browser);
  // Hold the wasm back to see the placeholder, then refuse it.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/pkg/playground_bg.wasm', async (route) => {
    await held;
    await route.abort();
  });
  await page.goto(new URL('index.html?lang=ko&theme=dark', BASE_URL).href);
  const boot = page.locator('.pp-boot');
  await boot.waitFor();
  // The theme the app will pick is on the page already, so a dark page does not flash white.
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.equal(await boot.getAttribute('role'), 'status');
  assert.match(await boot.textContent(), /시뮬레이터를 불러오는 중/);
  assert.equal(await page.getAttribute('html', 'lang'), 'ko');
  await screenshot(page, '09-loading-ko');
  release();
  await page.locator('.pp-boot-failed').waitFor();
  assert.match(await boot.textContent(), /시작하지 못했습니다/);
  assert.equal(await page.getByTestId('sim-clock').count(), 0);
  await page.context().close();
});

test('once the app has mounted, the loading placeholder is gone', async () => {
  const app = await openApp();
  assert.equal(await app.page.locator('.pp-boot').count(), 0);
  assert.equal(await app.page.locator('#app').getAttribute('aria-busy'), null);
  assert.deepEqual(app.page.errors, []);
});
