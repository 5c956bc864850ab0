// "Why?" next to an AccessDenied: a function whose role may write to the wrong bucket is denied;
// the terminal explains the denial (the missing action, the resource, the statement on the
// wrong bucket) and offers the smallest fix, which the learner puts in the prompt, runs, and
// then sees the same call succeed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot } from '../pages/browser.mjs';
import { PlaygroundPage } from '../pages/playground.mjs';

const setup = `aws s3 mb s3://invoices
aws iam create-role --role-name invoice-role --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
aws iam attach-role-policy --role-name invoice-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
aws iam put-role-policy --role-name invoice-role --policy-name write-reports --policy-document '{"Version": "2012-10-17", "Statement": [{"Sid": "WriteReports", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*"}]}'
aws lambda create-function --function-name invoice-service --runtime python3.12 --handler lambda_function.lambda_handler --role arn:aws:iam::123456789012:role/invoice-role --zip-file fileb://invoice-service.zip --environment Variables={BUCKET=invoices}`;
const invoke = `aws lambda invoke --function-name invoice-service --cli-binary-format raw-in-base64-out --payload '{"order_id": "A1", "amount": 5}' out.json`;
const object = 'arn:aws:s3:::invoices/invoices/A1.json';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an AccessDenied is explained, and its fix goes into the prompt and works', async () => {
  const page = await newPage(browser);
  const app = new PlaygroundPage(page);
  await app.open();
  for (const block of await app.typeScript(setup)) {
    assert.equal(await block.getAttribute('data-ok'), 'true', await block.textContent());
  }
  assert.equal(await page.getByTestId('iam-explain').count(), 0, 'no denial yet, no "Why?"');

  // The invocation is denied; the block that caused it and the one showing the error explain it.
  const denied = await app.type(invoke);
  assert.equal(await denied.getByTestId('iam-explain').count(), 1);
  const shown = await app.type('cat out.json');
  assert.match(await shown.locator('.pp-output').textContent(), /AccessDenied/);
  const why = shown.getByTestId('iam-explain');
  await why.locator('summary').click();
  const text = await why.textContent();
  assert.match(text, /s3:PutObject/);
  assert.ok(text.includes(object), text);
  assert.match(text, /Sid "WriteReports"/);
  assert.ok(text.includes('arn:aws:s3:::reports/*'), text);
  assert.match(await why.getByTestId('iam-fix-statement').textContent(), /"Resource": "arn:aws:s3:::invoices\/invoices\/A1\.json"/);
  await why.scrollIntoViewIfNeeded();
  await screenshot(page, '50-iam-why');

  // The button only types the fix; the learner runs it.
  const blocksBefore = await app.blocks.count();
  await why.getByTestId('iam-fix-use').click();
  const fix = await app.input.inputValue();
  assert.equal(fix, (await why.getByTestId('iam-fix-command').textContent()).trim());
  assert.match(fix, /^aws iam put-role-policy --role-name invoice-role --policy-name allow-s3-PutObject --policy-document '/);
  assert.equal(await app.blocks.count(), blocksBefore, 'nothing ran');
  await app.input.press('Enter');
  assert.equal(await app.blocks.nth(blocksBefore).getAttribute('data-ok'), 'true');

  const again = await app.type(invoke);
  assert.equal(await again.getByTestId('iam-explain').count(), 0);
  assert.doesNotMatch(await again.textContent(), /FunctionError/);
  assert.match(await (await app.type('cat out.json')).textContent(), /"invoice_id":"INV-A1"/);

  // The function's log in the Lambda panel quotes the first denial and explains it too.
  const panel = page.getByTestId('lambda-panel');
  await panel.getByRole('button', { name: 'invoice-service' }).click();
  assert.equal(await panel.getByTestId('function-log').getByTestId('iam-explain').count(), 1);
  assert.deepEqual(page.errors, []);
});
