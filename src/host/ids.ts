/**
 * Every contribution id the extension uses, in one place. A unit test checks them against package.json, so a
 * renamed command cannot silently stop working.
 */
export const DEBUG_TYPE = 'layerstep';

export const Commands = {
  runModel: 'layerstep.runModel',
  debugModel: 'layerstep.debugModel',
  showPanel: 'layerstep.showPanel',
  selectInput: 'layerstep.selectInput',
  showWeight: 'layerstep.showWeight',
  toggleBreakpoint: 'layerstep.toggleBreakpoint',
  addTypeBreakpoint: 'layerstep.addTypeBreakpoint',
  refreshModel: 'layerstep.refreshModel',
  revertEdits: 'layerstep.revertEdits',
  saveEditedWeights: 'layerstep.saveEditedWeights',
  compareWith: 'layerstep.compareWith',
  editWeightElement: 'layerstep.editWeightElement',
  scaleWeight: 'layerstep.scaleWeight',
  trainModel: 'layerstep.trainModel',
  trainSteps: 'layerstep.trainSteps',
  saveTrainedWeights: 'layerstep.saveTrainedWeights',
  saveTensor: 'layerstep.saveTensor',
} as const;

export const Views = {
  container: 'layerstep',
  model: 'layerstep.model',
} as const;

/** VS Code's own views that menus of this extension add to. */
export const BuiltInViews = {
  breakpoints: 'workbench.debug.breakPointsView',
} as const;

export const ContextKeys = {
  /**
   * Set once the extension runs. Before that, the editor title offers Run and Debug on files named like models
   * (package.json's menus), so a model opened on its own, with no model in the workspace to activate the
   * extension, can be run; afterwards `activeEditorIsModel`, from the file's content, decides.
   */
  activated: 'layerstep.activated',
  activeEditorIsModel: 'layerstep.activeEditorIsModel',
  /** The followed session has what-if edits in force: the debug toolbar shows Revert Edits. */
  hasEdits: 'layerstep.hasEdits',
  /** The followed session trains its model: the debug toolbar shows Save Trained Weights. */
  training: 'layerstep.training',
} as const;

export const Settings = {
  section: 'layerstep',
  memoryBudgetMB: 'memoryBudgetMB',
  maxLoopIterations: 'maxLoopIterations',
  threads: 'threads',
  openPanelOnStart: 'openPanelOnStart',
  colormap: 'colormap',
  sharedColorScale: 'sharedColorScale',
  divergenceTolerance: 'divergenceTolerance',
} as const;

export const PANEL_VIEW_TYPE = 'layerstep.panel';

/** The read-only custom editor that shows an `.onnx` file's summary (`contributes.customEditors`). */
export const ONNX_SUMMARY_VIEW_TYPE = 'layerstep.onnxSummary';
