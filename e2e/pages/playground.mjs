// Page object for the playground app: every locator goes through a data-testid.
import { BASE_URL } from './browser.mjs';

export class PlaygroundPage {
  constructor(page) {
    this.page = page;
    this.clock = page.getByTestId('sim-clock');
    this.input = page.getByTestId('terminal-input');
    this.blocks = page.getByTestId('terminal-block');
    this.traceHash = page.getByTestId('trace-hash');
    this.traceRows = page.getByTestId('trace-list').locator('li');
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

  /**
   * Types a whole script as a learner would: one line at a time, here-documents over several
   * lines; blank lines and comments are skipped. Resolves with each command's block.
   */
  async typeScript(script) {
    const start = await this.blocks.count();
    const blocks = [];
    const finished = async () => {
      const block = this.blocks.nth(start + blocks.length);
      await block.waitFor();
      blocks.push(block);
    };
    let heredoc = null;
    for (const line of script.split('\n')) {
      if (heredoc !== null) {
        await this.input.pressSequentially(line);
        await this.input.press('Enter');
        if (line === heredoc) {
          heredoc = null;
          await finished();
        }
        continue;
      }
      if (!line.trim() || line.trimStart().startsWith('#')) continue;
      await this.input.fill(line);
      await this.input.press('Enter');
      const opens = line.match(/<<-?\s*'?"?(\w+)'?"?\s*$/);
      if (opens) heredoc = opens[1];
      else await finished();
    }
    return blocks;
  }

  async clockText() {
    return (await this.clock.textContent()).trim();
  }

  async hash() {
    return (await this.traceHash.textContent()).trim();
  }
}
