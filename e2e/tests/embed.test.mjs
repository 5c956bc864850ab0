// The <pipeline-playground> widget (public/embed.js) on the demo course page: two widgets, each
// its own world in a sandboxed iframe sized to its content; a lesson in Korean and a bare sandbox
// prepared by a preset script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, newPage, screenshot } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('two widgets on one page: a Korean lesson and a preset sandbox, independent worlds', async () => {
  const page = await newPage(browser);
  await page.goto(new URL('embed-demo.html', BASE_URL).href);
  const lessonFrame = page.frameLocator('#lesson-widget iframe');
  const sandboxFrame = page.frameLocator('#sandbox-widget iframe');

  // The lesson widget opens its lesson in Korean, without the page header.
  const panel = lessonFrame.getByTestId('lesson-panel');
  await panel.getByTestId('lesson-title').waitFor();
  assert.match(await panel.getByTestId('lesson-step').textContent(), /단계 중 1단계/);
  assert.equal(await lessonFrame.locator('html').getAttribute('lang'), 'ko');
  assert.equal(await lessonFrame.getByTestId('trace-panel').isVisible(), false);

  // The sandbox ran its preset script once, into its own world, in the dark theme.
  const sandbox = new PlaygroundPage(sandboxFrame);
  await sandbox.clock.waitFor();
  assert.equal(await sandboxFrame.locator('html').getAttribute('data-theme'), 'dark');
  const listing = await sandbox.type('aws s3 ls s3://course-demo/raw/');
  assert.match(await listing.textContent(), /first\.json/);

  // What one widget does, the other does not see.
  const lesson = new PlaygroundPage(lessonFrame);
  const missing = await lesson.type('aws s3 ls s3://course-demo/');
  assert.equal(await missing.getAttribute('data-ok'), 'false');
  assert.match(await missing.textContent(), /NoSuchBucket/);

  // Each iframe is as tall as the app inside it (and never below its height attribute).
  for (const [id, least] of [['#lesson-widget', 480], ['#sandbox-widget', 360]]) {
    await page.waitForFunction(([id, least]) => {
      const frame = document.querySelector(id).shadowRoot.querySelector('iframe');
      const app = frame.contentDocument?.getElementById('app');
      if (!app || app.getBoundingClientRect().height === 0) return false;
      const want = Math.max(least, Math.ceil(app.getBoundingClientRect().height));
      return Math.abs(frame.getBoundingClientRect().height - want) <= 1;
    }, [id, least]);
  }
  const heights = await page.evaluate(() => [...document.querySelectorAll('pipeline-playground')]
    .map((el) => el.shadowRoot.querySelector('iframe').getBoundingClientRect().height));
  assert.ok(heights.every((h) => h > 480), `the widgets grew to their content: ${heights}`);
  // The sandbox attribute keeps the app from navigating the course page.
  const sandboxAttr = await page.evaluate(() =>
    document.querySelector('#lesson-widget').shadowRoot.querySelector('iframe').getAttribute('sandbox'));
  assert.doesNotMatch(sandboxAttr, /allow-top-navigation/);
  await screenshot(page, '70-embed-demo');
  assert.deepEqual(page.errors, []);
});

test('a widget\'s way out opens the full app on the same lesson', async () => {
  const page = await newPage(browser);
  await page.goto(new URL('embed-demo.html', BASE_URL).href);
  const frame = page.frameLocator('#lesson-widget iframe');
  await frame.getByTestId('lesson-title').waitFor();
  const [popup] = await Promise.all([
    page.context().waitForEvent('page'),
    frame.getByTestId('open-full').click(),
  ]);
  await popup.waitForLoadState();
  const url = new URL(popup.url());
  assert.equal(url.searchParams.get('lesson'), 'kafka-acks');
  assert.equal(url.searchParams.get('embed'), null);
  await popup.getByTestId('lesson-title').waitFor();
  assert.equal(await popup.getByTestId('trace-panel').isVisible(), true);
});
