// Every lesson in the browser: each step's goal does not hold after its setup and holds after its
// solution (the same replay the engine's native tests do), and the lesson panel walks a learner
// through a lesson in Korean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, newPage, screenshot } from '../pages/browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('every lesson replays in wasm: goals are reached by the solutions and not before', async () => {
  const page = await newPage(browser);
  await page.goto(new URL('api-example.html', BASE_URL).href);
  const report = await page.evaluate(async () => {
    const { default: init, Playground, lessons } = await import('./pkg/playground.js');
    await init();
    const results = [];
    for (const lesson of lessons('en')) {
      const world = new Playground(1);
      for (const [n, step] of lesson.steps.entries()) {
        if (step.setup.trim()) world.exec(step.setup);
        const before = world.lessonStepDone(lesson.id, n);
        world.exec(step.solution);
        const after = world.lessonStepDone(lesson.id, n);
        results.push({ lesson: lesson.id, step: step.id, before, after });
      }
    }
    return results;
  });
  const lessonsSeen = new Set(report.map((r) => r.lesson));
  assert.ok(lessonsSeen.size >= 12, `only ${lessonsSeen.size} lessons`);
  for (const r of report) {
    assert.equal(r.before, false, `${r.lesson}/${r.step}: the goal holds before the learner acts`);
    assert.equal(r.after, true, `${r.lesson}/${r.step}: the solution does not reach the goal`);
  }
});

test('the lesson panel opens a lesson link in Korean and checks the goal as the solution runs', async () => {
  const page = await newPage(browser);
  await page.goto(new URL('?lesson=kafka-acks&lang=ko', BASE_URL).href);
  const panel = page.getByTestId('lesson-panel');
  await panel.getByTestId('lesson-title').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  assert.match(await panel.getByTestId('lesson-step').textContent(), /단계 중 1단계/);
  const goal = panel.getByTestId('goal');
  assert.equal(await goal.getAttribute('data-done'), 'false');
  await panel.getByRole('button', { name: '힌트 보기' }).click();
  await panel.getByTestId('hints').locator('li').first().waitFor();
  await panel.getByTestId('show-solution').click();
  await page.waitForSelector('[data-testid="goal"][data-done="true"]', { timeout: 20000 });
  assert.match(await page.getByTestId('terminal-output').textContent(), /acks=1/);
  await screenshot(page, '60-lesson-kafka-acks-ko');
  await panel.getByTestId('next-step').click();
  assert.match(await panel.getByTestId('lesson-step').textContent(), /단계 중 2단계/);
  assert.equal(await goal.getAttribute('data-done'), 'false');
  assert.deepEqual(page.errors, []);
});

test('the lesson list links every lesson with its language', async () => {
  const page = await newPage(browser);
  await page.goto(new URL('?lang=en', BASE_URL).href);
  const links = page.getByTestId('lesson-list').locator('a');
  // The list renders once the wasm has started: wait for it rather than count an empty list.
  await links.first().waitFor();
  assert.ok((await links.count()) >= 12);
  for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    assert.match(href, /^\?lesson=[a-z0-9-]+&lang=en$/);
  }
  await screenshot(page, '61-lesson-list');
  assert.deepEqual(page.errors, []);
});
