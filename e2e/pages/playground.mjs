// Page object for the playground app: every locator goes through a data-testid.
import { BASE_URL } from './browser.mjs';

export class PlaygroundPage {
  constructor(page) {
    this.page = page;
    this.clock = page.getByTestId('clock');
    this.input = page.getByTestId('terminal-input');
    this.blocks = page.getByTestId('terminal-block');
    this.traceHash = page.getByTestId('trace-hash');
    this.traceRows = page.getByTestId('trace').locator('li');
    this.play = page.getByTestId('play');
    this.step = page.getByTestId('step');
    this.undo = page.getByTestId('undo');
    this.speed = page.getByTestId('speed');
  }

  async open(url = BASE_URL) {
    await this.page.goto(url);
    await this.clock.waitFor();
  }

  /** Types a command and presses Enter; resolves with that command's terminal block. */
  async type(line) {
    const before = await this.blocks.count();
    await this.input.fill(line);
    await this.input.press('Enter');
    await this.blocks.nth(before).waitFor();
    return this.blocks.nth(before);
  }

  async clockText() {
    return (await this.clock.textContent()).trim();
  }

  async hash() {
    return (await this.traceHash.textContent()).trim();
  }
}
