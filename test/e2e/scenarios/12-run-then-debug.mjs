// A user presses Run on examples/mnist-mlp, lets the pass finish, then presses Debug and Step Into twice. The
// finished Run is replaced rather than kept beside the new session, CALL STACK says where each stands, and the
// two steps land in the new session: the first layer and its first op.
import { activeEditorLines, examplesDir, openFromExplorer, openWorkbench, runCommand, screenshot } from '../lib/index.mjs';
import { callStackRows, callStackTop, editorTitleButton, panel, preparePaletteCommand, sessionState, waitForRedraw } from '../lib/layerstep.mjs';

/** CALL STACK's session rows (VS Code shows them when more than one session is there) and state labels. */
const sessionRows = (page) => page.locator('.debug-call-stack .monaco-list-row .session');
const stateLabel = sessionState;

export const scenario = {
  name: 'Run, then Debug, then Step Into twice: the first layer in the focused session',
  async run({ page, server }) {
    await openWorkbench(page, server, { folder: examplesDir });
    await openFromExplorer(page, 'mnist-mlp/model.json');
    await activeEditorLines(page).waitFor();
    const ui = panel(page);

    // Run: the pass finishes and the session stays, saying so.
    await editorTitleButton(page, 'Run Model').click();
    await waitForRedraw(page, undefined);
    await ui.locator('#status', { hasText: 'Finished' }).waitFor();
    await callStackTop(page, 'mnist-mlp (model)').waitFor();
    await stateLabel(page, 'Forward pass finished').waitFor();
    await screenshot(page, 'run-finished');

    // Debug on the same model (the floating debug toolbar covers the editor title's buttons here, so from the
    // palette): the finished Run makes way, and the new session pauses on entry.
    await runCommand(page, 'Layerstep: Debug Model');
    await stateLabel(page, 'Paused on entry').waitFor();
    await callStackTop(page, 'mnist-mlp (model)').waitFor();
    if (await stateLabel(page, 'Forward pass finished').count()) throw new Error('the finished Run is still in CALL STACK');
    if ((await sessionRows(page).count()) > 1) throw new Error('CALL STACK lists more than one session');
    await ui.locator('#frame-title', { hasText: 'mnist-mlp' }).waitFor();

    // Step Into twice, as the toolbar does it: the focused session moves to hidden1, then its matmul.
    for (const [top, title] of [['hidden1 (dense)', 'hidden1'], ['matmul', 'matmul']]) {
      const click = await preparePaletteCommand(page, 'Debug: Step Into');
      await click();
      await callStackTop(page, top).waitFor();
      await ui.locator('#frame-title', { hasText: title }).waitFor();
    }
    await callStackRows(page).filter({ hasText: 'hidden1 (dense)' }).first().waitFor();
    await stateLabel(page, 'Paused at call of matmul').waitFor();
    await screenshot(page, 'debug-stepped-into-hidden1');
    await runCommand(page, 'Debug: Stop');
  },
};
